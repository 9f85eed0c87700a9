/* hypercalls.h - the guest-side hypercall wrappers you write in guest.c (04-hypercalls).
 *
 * Ports (lab.yaml, "hypercalls:"): each hypercall has its own I/O port.
 *   print8         0x500  OUT byte   (outb)
 *   print32        0x501  OUT dword  (outl)
 *   printStr       0x502  OUT dword: the string's guest address
 *   numExits       0x503  IN dword   (inl): exits so far
 *   numExitsByType 0x504  OUT dword: address of a 64-byte buffer the host fills
 *   gvaToHva       0x505  OUT dword: a guest virtual address
 *   getTimestamp   0x506  IN dword: seconds since 1970
 */
#ifndef HYPERCALLS_H
#define HYPERCALLS_H

#include <stdint.h>

#define HC_PRINT8          0x500
#define HC_PRINT32         0x501
#define HC_PRINTSTR        0x502
#define HC_NUMEXITS        0x503
#define HC_NUMEXITSBYTYPE  0x504
#define HC_GVATOHVA        0x505
#define HC_GETTIMESTAMP    0x506

void print8(uint8_t c);
void print32(uint32_t value);
void printStr(const char *s);
uint32_t numExits(void);
char *numExitsByType(void);
void gvaToHva(uint32_t gva);
uint32_t getTimestamp(void);

#endif

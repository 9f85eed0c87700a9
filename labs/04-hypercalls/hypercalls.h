/* hypercalls.h - the guest-side hypercall wrappers you write in guest.c (04-hypercalls).
 *
 * The names and types are the course's (CS695: 2023 Assignment 3, 2024 Assignment 2), so
 * the fixed block (fixed.c) is the course's own.  Ports come from the lab's map (lab.yaml,
 * "hypercalls:"); the grader passes each as -DKVMLAB_PORT_name, and a build of your own
 * gets the lab's defaults below.  In this lab:
 *   print8bit       HC_PRINT8          OUT byte   (outb)
 *   print32bit      HC_PRINT32         OUT dword  (outl)
 *   printStr        HC_PRINTSTR        OUT dword: the string's guest address
 *   numExits        HC_NUMEXITS        IN dword   (inl): exits so far, this one included
 *   numExitsByType  HC_NUMEXITSBYTYPE  OUT dword: address of a 64-byte buffer the host fills
 *   gvaToHva        HC_GVATOHVA        OUT dword: a guest virtual address, then IN dword on the
 *                                      same port: the host address, truncated to 32 bits
 *   getTimestamp    HC_GETTIMESTAMP    IN dword: the host's time
 */
#ifndef HYPERCALLS_H
#define HYPERCALLS_H

#include <stdint.h>

#ifndef KVMLAB_PORT_print8
#define KVMLAB_PORT_print8 0x500
#define KVMLAB_PORT_print32 0x501
#define KVMLAB_PORT_printStr 0x502
#define KVMLAB_PORT_numExits 0x503
#define KVMLAB_PORT_numExitsByType 0x504
#define KVMLAB_PORT_gvaToHva 0x505
#define KVMLAB_PORT_getTimestamp 0x506
#endif

#define HC_PRINT8          KVMLAB_PORT_print8
#define HC_PRINT32         KVMLAB_PORT_print32
#define HC_PRINTSTR        KVMLAB_PORT_printStr
#define HC_NUMEXITS        KVMLAB_PORT_numExits
#define HC_NUMEXITSBYTYPE  KVMLAB_PORT_numExitsByType
#define HC_GVATOHVA        KVMLAB_PORT_gvaToHva
#define HC_GETTIMESTAMP    KVMLAB_PORT_getTimestamp

void HC_print8bit(uint8_t val);
void HC_print32bit(uint32_t val);
void HC_printStr(char *str);
uint32_t HC_numExits(void);
char *HC_numExitsByType(void);   /* 2024 edition */
uint32_t HC_gvaToHva(uint32_t gva);
uint32_t HC_getTimestamp(void);

#endif

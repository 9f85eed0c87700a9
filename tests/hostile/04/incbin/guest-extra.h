__asm__(".section .rodata\n.incbin \"@CANARY@\"\n.previous");

/* labtestcli.h - `kvmlab lab test LAB`: a lab's files and its example submissions. */
#pragma once

/* argv[0] is "test"; an exit status. */
int labtestcli_main(int argc, char **argv);

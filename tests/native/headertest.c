/* Compiles the public header as C99 with -Werror: nothing C++ may leak through. */
#include <fw/fw.h>

int fw_headertest_dummy(void);
int fw_headertest_dummy(void) { return FW_ABI_VERSION; }

/* fw/cursor.h - placeholder; filled in by the cursor work. */
#ifndef FW_CURSOR_H
#define FW_CURSOR_H

#include "common.h"

FW_BEGIN_DECL

FW_END_DECL

#endif /* FW_CURSOR_H */

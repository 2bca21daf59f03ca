/* fw/rules.h - placeholder; filled in by the rules work. */
#ifndef FW_RULES_H
#define FW_RULES_H

#include "common.h"

FW_BEGIN_DECL

FW_END_DECL

#endif /* FW_RULES_H */

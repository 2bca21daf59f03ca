/* fw/synth.h - placeholder; filled in by the synth work. */
#ifndef FW_SYNTH_H
#define FW_SYNTH_H

#include "common.h"

FW_BEGIN_DECL

FW_END_DECL

#endif /* FW_SYNTH_H */

/*
 * fw/fw.h - the fwcore C ABI. This is the only header a consumer includes.
 */
#ifndef FW_FW_H
#define FW_FW_H

#include "common.h"
#include "log.h"
#include "rules.h"
#include "synth.h"
#include "cursor.h"
#include "logging.h"
#include "summary.h"

#endif /* FW_FW_H */

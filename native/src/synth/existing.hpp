// The rules in force as the synthesiser asks about them: an adapter from the
// rule matcher (rules/match.hpp) to synth::existing_rules.
#pragma once

#include "rules/ruleset.hpp"
#include "synth/synth.hpp"

#include <memory>

namespace fw::synth {

// Answers probes with fw::rules::evaluate. Only certain answers count: an allow
// rule that merely may apply (scoped to a program or service, an address keyword,
// an unknown profile) does not cover a candidate. For the RPC keyword a rule
// covers when it names RPC dynamic ports (or all of 49152-65535); for RPCEPMap
// when it covers TCP 135.
[[nodiscard]] existing_rules existing_from(std::shared_ptr<const rules::ruleset> rs);

} // namespace fw::synth

// The same `bootstrap` as the witness (handler "witness", in a third region): each of the
// handler's ticks is one round of backends/aws's witness (aws_witness.h), which writes its vote
// into the controller's state table. The logic lives there; this is the wiring.
#pragma once

#include <expected>
#include <functional>
#include <memory>
#include <string>

#include "backends/aws/aws_witness.h"
#include "lambda/config.h"
#include "lambda/handler.h"

namespace dr::lambda {

using WitnessRoundFn =
    std::function<std::expected<backends::aws_world::WitnessRound, std::string>()>;

// A round as the handler's tick: action "vote", the reason says whom it probed, what answered
// and the vote (so the handler logs a line when the vote changes); the probes as metrics.
TickFn witness_tick(WitnessRoundFn round);

// What the witness of `config` runs with: its table, the two ALBs, and probes that fit a round
// (the checkers' timeout, capped at DR_WITNESS_TICK_SECONDS).
backends::aws_world::WitnessOptions witness_options(const WitnessConfig& config);

// The witness for `config`: RDS and DynamoDB of DR_SECONDARY_REGION, endpoints resolved as the
// AWS CLI does (AWS_ENDPOINT_URL...), the default credentials chain (the function's role).
std::expected<std::unique_ptr<backends::aws_world::AwsWitness>, std::string> make_witness(
    const WitnessConfig& config);

}  // namespace dr::lambda

// Which controller a drill runs: the lab's Lambda (the real bootstrap behind the lab's Runtime
// API, the code that deploys) or `drctl controller` on the lab's own backends. "auto" (the
// default) is made concrete here, as a pure function of what the drill and the lab need and of
// whether a bootstrap is at hand, so every fallback can be tested without a lab or a build tree.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace dr::drill {

struct ControllerNeeds {
  // The scenario cuts the network: it needs the write lease to keep its promises, and the
  // lab's Lambda has none (below), so the lab path only. A blip (the writer frozen for less
  // than the detection window) runs through the Lambda like every other drill.
  bool cuts_network = false;
  // The lab runs the write lease (`lab up --write-lease`): its lease is etcd, which the lab's
  // Lambda (whose lease is the AWS world's DynamoDB) cannot take.
  bool write_lease = false;
  // A bootstrap beside drctl or in its build tree (cli's find_bootstrap): a drctl installed
  // without one has no Lambda to run.
  bool bootstrap_present = false;
};

struct ControllerChoice {
  std::string controller;  // "lab" or "lambda"
  std::string why;         // "asked with --controller", "auto: ..."
};

// `asked` is --controller: "lab" and "lambda" pass through (whether the drill can run them is
// the drill's to refuse, with its own reasons); "auto" is the Lambda unless a need above rules
// it out; anything else is an error naming the choices.
std::expected<ControllerChoice, std::string> choose_controller(std::string_view asked,
                                                               const ControllerNeeds& needs);

}  // namespace dr::drill

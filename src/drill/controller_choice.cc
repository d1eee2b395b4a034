#include "drill/controller_choice.h"

namespace dr::drill {

std::expected<ControllerChoice, std::string> choose_controller(std::string_view asked,
                                                               const ControllerNeeds& needs) {
  if (asked == "lab" || asked == "lambda")
    return ControllerChoice{std::string(asked), "asked with --controller"};
  if (asked != "auto")
    return std::unexpected("--controller: '" + std::string(asked) +
                           "' is none of auto, lambda and lab");
  if (needs.cuts_network)
    return ControllerChoice{"lab",
                            "auto: the scenario cuts the network, which needs the write lease "
                            "that only the lab controller takes"};
  if (needs.write_lease)
    return ControllerChoice{"lab",
                            "auto: the lab runs the write lease, which the lab's Lambda cannot "
                            "take"};
  if (!needs.bootstrap_present)
    return ControllerChoice{"lab", "auto: no Lambda bootstrap beside drctl or in its build tree"};
  return ControllerChoice{"lambda", "auto: the Lambda's bootstrap is at hand"};
}

}  // namespace dr::drill

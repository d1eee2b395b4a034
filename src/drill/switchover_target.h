// Where a planned switchover drill moves the writer: the lab's other region, read from the lab's
// status rather than assumed (the drill used to hard-code us-west-2, wrong whenever the writer
// already lives there). Pure, so the choice is tested without a lab.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace dr::drill {

// `status` is the control API's GET /status document, whose "regions" object is keyed by region;
// `writer_region` is the region of the current writer. The one region that is not the writer's;
// nullopt when there is none to choose (one region, the writer's region not among them, more
// than one other region: no guess) or the status is not what /status returns.
std::optional<std::string> switchover_target(const nlohmann::json& status,
                                             const std::string& writer_region);

}  // namespace dr::drill

#include "lab/lab_topology.h"

namespace dr::lab {

const Topology& default_topology() {
  static const Topology topology = [] {
    Topology t;
    t.regions = {kPrimaryRegion, kSecondaryRegion};
    t.databases = {
        {"a1", kPrimaryRegion, "us-east-1a", 0, 1, "", false},
        {"a2", kPrimaryRegion, "us-east-1b", 1, 2, "a1", true},
        {"b1", kSecondaryRegion, "us-west-2a", 0, 3, "a1", false},
    };
    t.fleets = {
        {kPrimaryRegion, 1, 2, 4, {"us-east-1a", "us-east-1b"}},
        // Warm standby: one instance, scaled up by the controller on failover.
        {kSecondaryRegion, 1, 1, 4, {"us-west-2a", "us-west-2b"}},
    };
    return t;
  }();
  return topology;
}

std::string Topology::writer_of(const std::string& region) const {
  (void)region;  // one global writer: the secondary region's writer endpoint crosses regions
  for (const auto& d : databases) {
    if (d.replicates_from.empty()) return d.name;
  }
  return {};
}

std::string Topology::reader_of(const std::string& region) const {
  // The region's replica; a region without one reads from the writer.
  for (const auto& d : databases) {
    if (d.region == region && !d.replicates_from.empty()) return d.name;
  }
  return writer_of(region);
}

Site site_of(const std::string& region) {
  if (region == kPrimaryRegion) return Site::kUsEast1;
  if (region == kSecondaryRegion) return Site::kUsWest2;
  return Site::kGlobal;
}

std::string writer_endpoint_name(const std::string& region) {
  return "writer-" + region;
}
std::string reader_endpoint_name(const std::string& region) {
  return "reader-" + region;
}
std::string alb_name(const std::string& region) {
  return "alb-" + region;
}
std::string dynamodb_name(const std::string& region) {
  return "dynamodb-" + region;
}

}  // namespace dr::lab

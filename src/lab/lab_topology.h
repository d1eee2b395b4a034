// The lab's default topology (issue 4) as data: which servers exist, where they live (region,
// AZ, address block) and what role they start in. The supervisor builds the lab from this table
// and `drctl lab kill` resolves names against it, so both agree on what "az us-east-1b" means.
#pragma once

#include <string>
#include <vector>

#include "lab/ports.h"

namespace dr::lab {

inline constexpr const char* kPrimaryRegion = "us-east-1";
inline constexpr const char* kSecondaryRegion = "us-west-2";
inline constexpr const char* kGlobal = "global";
inline constexpr const char* kSessionsTable = "dr-app-sessions";
// DynamoDB Local keys its databases by access key id + region: every client of the lab (apps,
// replicator, supervisor) uses these, so they all see the same tables.
inline constexpr const char* kLabAccessKeyId = "lab";
inline constexpr const char* kLabSecretAccessKey = "lab-secret";
// Pre-declared ALB server slots per region: the fleet's max capacity cannot exceed it.
inline constexpr int kAlbSlots = 8;

struct DatabaseSpec {
  std::string name;    // "a1"
  std::string region;  // "us-east-1"
  std::string az;      // "us-east-1a"
  unsigned index = 0;  // host index in the region's database block
  unsigned server_id = 0;
  std::string replicates_from;  // empty: the writer; else the primary it follows
  bool semi_sync = false;       // a semi-synchronous replica of its primary
};

struct FleetSpec {
  std::string region;
  int min = 0;
  int desired = 0;
  int max = 0;
  std::vector<std::string> azs;  // instances are spread over these
};

struct Topology {
  std::vector<DatabaseSpec> databases;
  std::vector<FleetSpec> fleets;
  std::vector<std::string> regions;
  // Initial endpoint targets: region -> database name.
  std::string writer_of(const std::string& region) const;
  std::string reader_of(const std::string& region) const;
};

// a1 (writer, us-east-1a) + a2 (semi-sync, us-east-1b); b1 (async, us-west-2a); fleets 2 and 1.
const Topology& default_topology();

Site site_of(const std::string& region);  // "global" for anything else

// Component names as `status` prints them and `kill component` takes them.
std::string writer_endpoint_name(const std::string& region);  // "writer-us-east-1"
std::string reader_endpoint_name(const std::string& region);  // "reader-us-east-1"
std::string alb_name(const std::string& region);              // "alb-us-east-1"
std::string dynamodb_name(const std::string& region);         // "dynamodb-us-east-1"
inline constexpr const char* kFrontDoorName = "front-door";
// The second listener of each region's ALB: health paths only, to the apps' admin ports.
inline constexpr const char* kAlbHealthListener = "alb_health";
inline constexpr const char* kReplicatorName = "replicator";
inline constexpr const char* kSupervisorName = "supervisor";

}  // namespace dr::lab

// Ports and loopback addresses for the lab. Ports are never fixed: each is picked free at start.
// Addresses follow one plan so that a region can be cut off by its /24 (see nftables in FACTS).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lab/error.h"

namespace dr::lab {

// A TCP port that nothing is bound to on `address` right now (bind port 0, read it back, close).
// Another process may take it before the caller binds it; callers that can retry on EADDRINUSE
// should. `address` must be an IPv4 literal in 127.0.0.0/8, or "0.0.0.0" for a server that can
// only listen on all interfaces (DynamoDB Local): a port free there is free on every address.
Result<std::uint16_t> pick_free_port(std::string_view address = "127.0.0.1");

bool is_loopback(std::string_view address);

// ---- The address plan ----

enum class Site { kUsEast1, kUsWest2, kGlobal };

std::string_view site_name(Site site);  // "us-east-1", "us-west-2", "global"
std::string site_cidr(Site site);       // "127.0.1.0/24", "127.0.2.0/24", "127.0.3.0/24"

// Each component kind owns a block of host numbers in its site's /24; `index` picks one inside
// it (A1 = database 0, A2 = database 1, app instance i = app i).
enum class Component {
  kFrontDoor,       // .10      (global)
  kDatabase,        // .11-.19  (A1, A2 in us-east-1; B1 in us-west-2)
  kWriterEndpoint,  // .21
  kReaderEndpoint,  // .22
  kController,      // .23      (placed in the secondary region, like the failover Lambda)
  kWitness,         // .24      (global)
  kReplicator,      // .25      (global)
  kSupervisor,      // .26      (global)
  kAwsEndpoint,     // .27      (global: the lab's AWS API endpoint, src/lab_aws)
  kDynamoDb,        // .31      (listens on all interfaces anyway; the address is for clients)
  kAlb,             // .41
  kLeaseStore,      // .51      (the write lease's etcd member: one per site)
  kApp,             // .101-.199
};

// "127.<site>.<host>"; fails when `index` is outside the component's block.
Result<std::string> lab_address(Site site, Component component, unsigned index = 0);

}  // namespace dr::lab

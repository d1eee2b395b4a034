// The caching chain and the default order of sources.
#include "aws/credential_chain.h"

namespace dr::aws {

namespace {

// Credentials that expire inside the window are due for a refresh (they are still usable).
bool due_for_refresh(const Credentials& c, SystemTime now, std::chrono::seconds window) {
  return c.expiration && now >= *c.expiration - window;
}

bool still_valid(const Credentials& c, SystemTime now) {
  return !c.expiration || now < *c.expiration;
}

}  // namespace

CredentialChain::CredentialChain(std::vector<NamedProvider> sources, ChainOptions options)
    : sources_(std::move(sources)), options_(std::move(options)) {
  if (!options_.clock) options_.clock = [] { return std::chrono::system_clock::now(); };
}

Result<Credentials> CredentialChain::resolve() {
  std::string tried;
  for (const auto& source : sources_) {
    auto creds = source.provider->credentials();
    if (creds) return creds;
    if (!tried.empty()) tried += "; ";
    // The sources' messages already start with their name; others get it added.
    const std::string& why = creds.error().message;
    tried += why.starts_with(source.name) ? why : source.name + ": " + why;
    // A configured but broken source stops the search: a later source would be a different
    // identity than the operator set up.
    if (!is_credentials_not_found(creds.error()))
      return std::unexpected(
          Error::credentials("credentials chain stopped at " + source.name + " [" + tried + "]"));
  }
  if (sources_.empty()) return std::unexpected(Error::credentials("credentials chain is empty"));
  return std::unexpected(credentials_not_found("no credentials in any source [" + tried + "]"));
}

Result<Credentials> CredentialChain::credentials() {
  std::lock_guard lock(mu_);
  SystemTime now = options_.clock();
  if (cached_) {
    if (!due_for_refresh(*cached_, now, options_.refresh_window)) return *cached_;
    if (still_valid(*cached_, now) && now < next_attempt_) return *cached_;
  }
  auto fresh = resolve();
  if (fresh) {
    // Fresh credentials already inside the window (the source rotates late): use them, but do
    // not ask again on every call.
    if (due_for_refresh(*fresh, now, options_.refresh_window))
      next_attempt_ = now + options_.retry_interval;
    cached_ = *fresh;
    return fresh;
  }
  // The refresh failed but what we hold still works: keep signing with it and retry later.
  if (cached_ && still_valid(*cached_, now)) {
    next_attempt_ = now + options_.retry_interval;
    return *cached_;
  }
  cached_.reset();
  return fresh;
}

std::shared_ptr<CredentialsProvider> make_default_credentials_chain(DefaultChainOptions options) {
  std::vector<NamedProvider> sources;
  sources.push_back({"environment", std::make_shared<EnvironmentCredentialsProvider>()});
  sources.push_back(
      {"shared files", std::make_shared<ProfileCredentialsProvider>(options.profile)});
  sources.push_back(
      {"container", std::make_shared<ContainerCredentialsProvider>(options.transport)});
  sources.push_back({"imds", std::make_shared<ImdsCredentialsProvider>(ImdsOptions{
                                 .transport = options.transport, .clock = options.clock})});
  return std::make_shared<CredentialChain>(std::move(sources),
                                           ChainOptions{.clock = options.clock});
}

}  // namespace dr::aws

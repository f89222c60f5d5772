#include "collector/registry.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace postura::collector {
namespace {

std::shared_ptr<const AgentBinding> MakeBinding(const v1::Agent& agent) {
  auto binding = std::make_shared<AgentBinding>();
  binding->agent_id = agent.id();
  binding->asset_ids.insert(agent.asset_ids().begin(), agent.asset_ids().end());
  return binding;
}

absl::Status CheckId(absl::string_view what, absl::string_view id) {
  if (IsValidId(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, " id '", id.substr(0, 160),
                   "' is invalid: use 1 to 128 characters from A-Z a-z 0-9 . _ -"));
}

}  // namespace

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

absl::StatusOr<std::unique_ptr<Registry>> Registry::Load(EvidenceStore& store) {
  std::unique_ptr<Registry> registry(new Registry(store));
  absl::StatusOr<std::vector<v1::Asset>> assets = store.LoadAssets();
  if (!assets.ok()) return assets.status();
  absl::StatusOr<std::vector<v1::Agent>> agents = store.LoadAgents();
  if (!agents.ok()) return agents.status();
  absl::MutexLock lock(&registry->mu_);
  for (v1::Asset& asset : *assets) {
    std::string id = asset.id();
    registry->assets_.emplace(std::move(id), std::move(asset));
  }
  for (const v1::Agent& agent : *agents) registry->agents_[agent.id()] = MakeBinding(agent);
  return registry;
}

absl::Status Registry::PutAsset(const v1::Asset& asset) {
  if (absl::Status s = CheckId("asset", asset.id()); !s.ok()) return s;
  if (asset.name().empty() || asset.name().size() > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("asset ", asset.id(), ": name must be 1 to 256 bytes"));
  }
  if (asset.implementation_group() < v1::IG1 || asset.implementation_group() > v1::IG3) {
    return absl::InvalidArgumentError(
        absl::StrCat("asset ", asset.id(), ": implementation_group must be IG1, IG2 or IG3"));
  }
  absl::MutexLock lock(&mu_);
  if (absl::Status s = store_.PutAsset(asset); !s.ok()) return s;
  assets_[asset.id()] = asset;
  return absl::OkStatus();
}

absl::Status Registry::DeleteAsset(const std::string& asset_id) {
  absl::MutexLock lock(&mu_);
  if (!assets_.contains(asset_id)) {
    return absl::NotFoundError(absl::StrCat("no asset '", asset_id, "'"));
  }
  std::vector<std::string> bound;
  for (const auto& [agent_id, binding] : agents_) {
    if (binding->asset_ids.contains(asset_id)) bound.push_back(agent_id);
  }
  if (!bound.empty()) {
    std::sort(bound.begin(), bound.end());
    return absl::FailedPreconditionError(absl::StrCat("asset ", asset_id, " is bound to agents ",
                                                      absl::StrJoin(bound, ", "),
                                                      "; unbind it first"));
  }
  if (absl::Status s = store_.DeleteAsset(asset_id); !s.ok()) return s;
  assets_.erase(asset_id);
  return absl::OkStatus();
}

std::vector<v1::Asset> Registry::ListAssets() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Asset> assets;
  for (const auto& [id, asset] : assets_) assets.push_back(asset);
  std::sort(assets.begin(), assets.end(),
            [](const v1::Asset& a, const v1::Asset& b) { return a.id() < b.id(); });
  return assets;
}

absl::Status Registry::PutAgent(const v1::Agent& agent) {
  if (absl::Status s = CheckId("agent", agent.id()); !s.ok()) return s;
  absl::MutexLock lock(&mu_);
  for (const std::string& asset_id : agent.asset_ids()) {
    if (!assets_.contains(asset_id)) {
      return absl::NotFoundError(
          absl::StrCat("agent ", agent.id(), ": no asset '", asset_id.substr(0, 160), "' to bind"));
    }
  }
  if (absl::Status s = store_.PutAgent(agent); !s.ok()) return s;
  agents_[agent.id()] = MakeBinding(agent);
  return absl::OkStatus();
}

absl::Status Registry::DeleteAgent(const std::string& agent_id) {
  absl::MutexLock lock(&mu_);
  if (!agents_.contains(agent_id)) {
    return absl::NotFoundError(absl::StrCat("no agent '", agent_id, "'"));
  }
  if (absl::Status s = store_.DeleteAgent(agent_id); !s.ok()) return s;
  agents_.erase(agent_id);
  return absl::OkStatus();
}

std::vector<v1::Agent> Registry::ListAgents() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Agent> agents;
  for (const auto& [id, binding] : agents_) {
    v1::Agent& agent = agents.emplace_back();
    agent.set_id(id);
    std::vector<std::string> assets(binding->asset_ids.begin(), binding->asset_ids.end());
    std::sort(assets.begin(), assets.end());
    for (std::string& asset : assets) agent.add_asset_ids(std::move(asset));
  }
  std::sort(agents.begin(), agents.end(),
            [](const v1::Agent& a, const v1::Agent& b) { return a.id() < b.id(); });
  return agents;
}

std::shared_ptr<const AgentBinding> Registry::FindAgent(const std::string& agent_id) const {
  absl::MutexLock lock(&mu_);
  auto it = agents_.find(agent_id);
  return it == agents_.end() ? nullptr : it->second;
}

}  // namespace postura::collector

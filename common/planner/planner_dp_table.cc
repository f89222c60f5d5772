#include "common/planner/planner_dp_table.h"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <numeric>

namespace postura::planner_internal {
namespace {

// Memory bounds of one Combine (16 and 24 bytes per item): 64 MiB and 96 MiB.
constexpr int64_t kMaxDenseSpan = int64_t{1} << 22;
constexpr int64_t kMaxSparsePairs = int64_t{1} << 22;

// Calls visit(i, j, cost) for every pair whose cost stays within `limit`.
template <typename Visit>
void ForEachPair(const Table& acc, const Table& child, int64_t limit, Visit visit) {
  int64_t child_cheapest = kNoCost;
  bool by_cost = true;  // Costs ascend with the sums: stop at the first too costly.
  for (std::size_t j = 0; j < child.size(); ++j) {
    child_cheapest = std::min(child_cheapest, child[j].cost);
    if (j > 0 && child[j].cost < child[j - 1].cost) by_cost = false;
  }
  for (std::size_t i = 0; i < acc.size(); ++i) {
    if (acc[i].cost > limit - child_cheapest) continue;
    for (std::size_t j = 0; j < child.size(); ++j) {
      const int64_t cost = acc[i].cost + child[j].cost;
      if (cost > limit) {
        if (by_cost) break;
        continue;
      }
      visit(i, j, cost);
    }
  }
}

}  // namespace

void Prune(Need need, Table& table) {
  if (table.empty()) return;
  if (!need.any()) {
    auto cheapest = std::min_element(
        table.begin(), table.end(), [](const Entry& a, const Entry& b) { return a.cost < b.cost; });
    const Entry keep = *cheapest;
    table.assign(1, keep);
    return;
  }
  if (need.large && need.small) return;
  std::size_t kept = 0;
  int64_t cheapest = kNoCost;
  if (need.small) {
    for (const Entry& e : table) {
      if (e.cost < cheapest) {
        cheapest = e.cost;
        table[kept++] = e;
      }
    }
    table.resize(kept);
    return;
  }
  // Larger sums first; the kept entries gather at the back, in order.
  kept = table.size();
  for (std::size_t i = table.size(); i-- > 0;) {
    if (table[i].cost < cheapest) {
      cheapest = table[i].cost;
      table[--kept] = table[i];
    }
  }
  table.erase(table.begin(), table.begin() + static_cast<std::ptrdiff_t>(kept));
}

PairPick CheapestPairInRange(const Table& a, const Table& b, const SumRange& range) {
  // For each entry of `a`, from the largest sum down, the entries of `b` that complete it
  // into the range form a window sliding up `b`: keep its cheapest in a monotone deque.
  std::deque<std::size_t> window;
  std::size_t next = 0;
  PairPick best;
  for (std::size_t i = a.size(); i-- > 0;) {
    const int64_t lo = range.lo - a[i].sum;
    const int64_t hi =
        range.hi == std::numeric_limits<int64_t>::max() ? range.hi : range.hi - a[i].sum;
    while (next < b.size() && b[next].sum <= hi) {
      while (!window.empty() && b[window.back()].cost >= b[next].cost) window.pop_back();
      window.push_back(next++);
    }
    while (!window.empty() && b[window.front()].sum < lo) window.pop_front();
    if (window.empty()) continue;
    const int64_t cost = a[i].cost + b[window.front()].cost;
    if (cost < best.cost) {
      best = {cost, static_cast<int32_t>(i), static_cast<int32_t>(window.front())};
    }
  }
  return best;
}

bool TableCombiner::Combine(const Table& acc, const Table& child, int64_t num, int64_t den,
                            Need need, int64_t limit, Table& out) {
  out.clear();
  if (acc.empty() || child.empty()) return true;
  scaled_.resize(child.size());
  for (std::size_t j = 0; j < child.size(); ++j) {
    const int64_t product = child[j].sum * num;
    if (product % den != 0) return false;
    scaled_[j] = product / den;
  }
  if (!need.any()) {
    CombineCheapest(acc, child, limit, out);
    return true;
  }
  const int64_t pairs = static_cast<int64_t>(acc.size()) * static_cast<int64_t>(child.size());
  work_ += pairs;
  if (work_ > work_limit_) return false;
  // The sums are base + k * step: dense arrays over k when they are not too sparse.
  int64_t step = 0;
  for (const Entry& e : acc) step = std::gcd(step, e.sum - acc[0].sum);
  for (int64_t s : scaled_) step = std::gcd(step, s - scaled_[0]);
  if (step == 0) step = 1;
  const int64_t span = (acc.back().sum + scaled_.back() - acc[0].sum - scaled_[0]) / step + 1;
  if (span <= std::max<int64_t>(4 * pairs, 4096) && span <= kMaxDenseSpan) {
    CombineDense(acc, child, step, span, limit, out);
  } else if (pairs <= kMaxSparsePairs) {
    CombineSparse(acc, child, limit, out);
  } else {
    return false;
  }
  Prune(need, out);
  return true;
}

void TableCombiner::CombineCheapest(const Table& acc, const Table& child, int64_t limit,
                                    Table& out) {
  auto cheapest = [](const Table& table) {
    std::size_t best = 0;
    for (std::size_t k = 1; k < table.size(); ++k) {
      if (table[k].cost < table[best].cost) best = k;
    }
    return best;
  };
  const std::size_t i = cheapest(acc), j = cheapest(child);
  const int64_t cost = acc[i].cost + child[j].cost;
  if (cost > limit) return;
  out.push_back({acc[i].sum + scaled_[j], cost, static_cast<int32_t>(i), static_cast<int32_t>(j)});
}

void TableCombiner::CombineDense(const Table& acc, const Table& child, int64_t step, int64_t span,
                                 int64_t limit, Table& out) {
  best_cost_.assign(span, kNoCost);
  best_left_.resize(span);
  best_right_.resize(span);
  offset_.resize(child.size());
  for (std::size_t j = 0; j < child.size(); ++j) offset_[j] = (scaled_[j] - scaled_[0]) / step;
  ForEachPair(acc, child, limit, [&](std::size_t i, std::size_t j, int64_t cost) {
    const int64_t k = (acc[i].sum - acc[0].sum) / step + offset_[j];
    if (cost < best_cost_[k]) {
      best_cost_[k] = cost;
      best_left_[k] = static_cast<int32_t>(i);
      best_right_[k] = static_cast<int32_t>(j);
    }
  });
  const int64_t base = acc[0].sum + scaled_[0];
  for (int64_t k = 0; k < span; ++k) {
    if (best_cost_[k] != kNoCost) {
      out.push_back({base + k * step, best_cost_[k], best_left_[k], best_right_[k]});
    }
  }
}

void TableCombiner::CombineSparse(const Table& acc, const Table& child, int64_t limit, Table& out) {
  ForEachPair(acc, child, limit, [&](std::size_t i, std::size_t j, int64_t cost) {
    out.push_back(
        {acc[i].sum + scaled_[j], cost, static_cast<int32_t>(i), static_cast<int32_t>(j)});
  });
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return a.sum != b.sum ? a.sum < b.sum : a.cost < b.cost;
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const Entry& a, const Entry& b) { return a.sum == b.sum; }),
            out.end());
}

}  // namespace postura::planner_internal

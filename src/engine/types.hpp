// Strong value types of the simulator: time, prices, quantities, cash and ids.
// Every quantity that enters accounting is an exact integer; no double crosses the ledger.
#pragma once

#include <cmath>
#include <compare>
#include <concepts>
#include <cstdint>

namespace proteus::engine {

/// Simulated time in integer nanoseconds since the start of the run.
struct SimTime {
  std::int64_t ns = 0;

  /// Whole milliseconds, exactly.
  template <std::integral I>
  static constexpr SimTime from_ms(I ms) {
    return SimTime{static_cast<std::int64_t>(ms) * 1'000'000};
  }
  /// Milliseconds from a config value, rounded to the nearest ns (half away from zero): the
  /// one conversion of configured times.
  static SimTime from_ms(double ms) { return SimTime{std::llround(ms * 1e6)}; }
  static constexpr SimTime from_us(std::int64_t us) { return SimTime{us * 1'000}; }
  /// Seconds as a double, for model formulas only (never for ordering).
  constexpr double seconds() const { return static_cast<double>(ns) * 1e-9; }
  friend constexpr auto operator<=>(SimTime, SimTime) = default;
  friend constexpr SimTime operator+(SimTime a, SimTime b) { return SimTime{a.ns + b.ns}; }
  friend constexpr SimTime operator-(SimTime a, SimTime b) { return SimTime{a.ns - b.ns}; }
};

/// A price in integer ticks; tick 0 is probability 0 and `ticks_per_unit` is probability 1.
struct Price {
  std::int64_t ticks = 0;
  friend constexpr auto operator<=>(Price, Price) = default;
};

/// A quantity in integer lots.
struct Qty {
  std::int64_t lots = 0;
  friend constexpr auto operator<=>(Qty, Qty) = default;
  friend constexpr Qty operator+(Qty a, Qty b) { return Qty{a.lots + b.lots}; }
  friend constexpr Qty operator-(Qty a, Qty b) { return Qty{a.lots - b.lots}; }
  friend constexpr Qty min(Qty a, Qty b) { return a.lots < b.lots ? a : b; }
};

/// Cash in integer micro-units of the contract's payoff (1 lot paying 1 = kCashPerUnit * lot_size).
struct Cash {
  std::int64_t micros = 0;
  friend constexpr auto operator<=>(Cash, Cash) = default;
  friend constexpr Cash operator+(Cash a, Cash b) { return Cash{a.micros + b.micros}; }
  friend constexpr Cash operator-(Cash a, Cash b) { return Cash{a.micros - b.micros}; }
  friend constexpr Cash operator-(Cash a) { return Cash{-a.micros}; }
};

inline constexpr std::int64_t kCashPerUnit = 1'000'000;

enum class Side : std::uint8_t { kBuy = 0, kSell = 1 };

constexpr Side opposite(Side s) {
  return s == Side::kBuy ? Side::kSell : Side::kBuy;
}
/// +1 for a buy, -1 for a sell: the sign of the inventory change of the order's owner.
constexpr std::int64_t sign(Side s) {
  return s == Side::kBuy ? 1 : -1;
}
constexpr const char* to_string(Side s) {
  return s == Side::kBuy ? "buy" : "sell";
}

enum class OrderKind : std::uint8_t {
  kLimit = 0,   ///< rests in the book after matching what it can
  kMarket = 1,  ///< matches at any price, the remainder is cancelled
  kIoc = 2,     ///< matches up to its limit, the remainder is cancelled
};

constexpr const char* to_string(OrderKind k) {
  switch (k) {
    case OrderKind::kLimit:
      return "limit";
    case OrderKind::kMarket:
      return "market";
    case OrderKind::kIoc:
      return "ioc";
  }
  return "?";
}

/// Identifies an order for its whole life; assigned by the simulation, unique per run.
struct OrderId {
  std::uint64_t value = 0;
  friend constexpr auto operator<=>(OrderId, OrderId) = default;
};

/// Index of an agent in the run's agent table.
struct AgentId {
  std::uint32_t value = 0;
  friend constexpr auto operator<=>(AgentId, AgentId) = default;
};

}  // namespace proteus::engine

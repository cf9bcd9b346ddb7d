// Plain configuration structs of one run: what a scenario TOML file resolves to.
// Field names match the TOML keys one for one (docs/config.md lists them with ranges).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/choices.hpp"

namespace proteus::engine {

/// A seeded delay distribution.
struct DelaySpec {
  DelayDist dist = DelayDist::kConstant;
  double value_ms = 1.0;   ///< constant: the delay; exponential: the mean
  double low_ms = 0.0;     ///< uniform: lower bound
  double high_ms = 0.0;    ///< uniform: upper bound
  double median_ms = 1.0;  ///< lognormal: median e^mu
  double sigma = 0.5;      ///< lognormal: sigma of the underlying normal
  friend bool operator==(const DelaySpec&, const DelaySpec&) = default;
};

/// Delays between one agent class and the mechanism.
struct LatencySpec {
  DelaySpec submit;       ///< agent -> mechanism, for orders and cancels
  DelaySpec ack;          ///< mechanism -> agent, acceptance / reject / cancel confirmations
  DelaySpec fill;         ///< mechanism -> agent, fill notifications
  DelaySpec market_data;  ///< mechanism -> agent, public view updates
  friend bool operator==(const LatencySpec&, const LatencySpec&) = default;
};

/// A delayed, noisy view of the latent probability: clip(p_{t - delay} + N(0, noise^2), 0, 1).
struct SignalSpec {
  double delay_ms = 0.0;
  double noise = 0.0;
};

/// When an agent decides: every `interval_ms` ("interval") or on each market-data update
/// ("event"), with a minimum gap of `interval_ms` between event-driven decisions.
struct ScheduleSpec {
  ScheduleMode mode = ScheduleMode::kInterval;
  double interval_ms = 100.0;
};

struct RunSpec {
  double duration_s = 60.0;
  MechanismKind mechanism = MechanismKind::kClob;
  Environment environment = Environment::kMarket;
  std::uint64_t seed = 1;                     ///< master seed (overridden by the sweep or --seed)
  BookDelay book_delay = BookDelay::kSubmit;  ///< agent -> mechanism
  AfterHorizon after_horizon = AfterHorizon::kStop;  ///< events in flight at the end
};

struct MarketSpec {
  double tick_size = 0.001;  ///< price increment; 1 / tick_size must be an integer
  double lot_size = 1.0;     ///< contracts per lot
  std::int64_t max_order_lots = 1000;
  std::int64_t maker_fee_micros = 0;  ///< per lot, in 1e-6 of payoff; negative = rebate
  std::int64_t taker_fee_micros = 0;
  SelfTradeRule self_trade = SelfTradeRule::kCancelResting;  ///< CLOB only
  Crossing crossing = Crossing::kOnArrival;                  ///< CLOB only
  /// Cash units in one unit of payoff (micro-units by default); cash_per_unit * tick_size *
  /// lot_size must be a whole number so every trade's cash is exact.
  std::int64_t cash_per_unit = 1'000'000;
};

struct LatentSpec {
  double p0 = 0.5;
  double phi = 0.995;                      ///< mean reversion of log-odds per step
  double sigma_eta = 0.2;                  ///< diffusion, per sqrt(second)
  double dt_ms = 100.0;                    ///< step of the latent process
  double x_bound = 6.0;                    ///< |logit p| is clipped to this bound
  double jump_rate = 0.0;                  ///< lambda_J, jumps per second
  JumpDist jump_dist = JumpDist::kNormal;  ///< normal (mean, sd) or symmetric (+/- jump_size)
  double jump_mean = 0.0;
  double jump_sd = 0.5;
  double jump_size = 0.5;
  LatentStart first_step = LatentStart::kAfterDt;
};

struct MarketMakerSpec {
  int count = 1;
  QuoteRule rule = QuoteRule::kLinear;  ///< linear is the predecessor's rule
  double h0 = 0.02;
  double kappa = 0.01;
  double a = 0.0;
  double b = 0.0;
  double c = 0.0;
  double min_half_spread = 0.004;
  double gamma = 0.1;           ///< AS risk aversion
  double k = 100.0;             ///< AS order-arrival decay per unit of price (1/probability)
  double sigma = 0.05;          ///< AS volatility of p per sqrt(second)
  double size = 1.0;            ///< contracts per quote
  double max_inventory = 20.0;  ///< contracts
  double loss_limit = 50.0;     ///< payoff units; the kill switch latches below -loss_limit
  double belief_weight = 0.8;   ///< p_hat = w signal + (1 - w) last trade price
  double ewma_alpha = 0.1;      ///< smoothing of sigma_hat and AS_hat
  QuoteLifetime quotes = QuoteLifetime::kReplace;
  BeliefRule belief = BeliefRule::kSignalTape;
  double belief_alpha = 0.35;  ///< signal_ewma: weight of the new signal
  double belief_init = 0.5;    ///< signal_ewma: belief before the first signal
  SpreadEstimators estimators = SpreadEstimators::kBelief;
  double sigma_alpha = 0.25;  ///< quotes_and_fills: smoothing of sigma_hat
  double as_alpha = 0.2;      ///< quotes_and_fills: smoothing of AS_hat
  QuoteSizeRule size_rule = QuoteSizeRule::kFixed;
  double size_floor = 0.2;  ///< inventory_scaled: smallest fraction of size quoted
  InventoryLimit inventory_limit = InventoryLimit::kProjected;
  SignalSpec signal;
  ScheduleSpec schedule;
};

struct InformedSpec {
  int count = 1;
  double theta = 0.01;          ///< minimum edge |signal - price| to trade
  double cost = 0.0;            ///< added to theta
  double activity = 0.06;       ///< probability of acting at a decision
  double size_min = 0.5;        ///< contracts at edge theta
  double size_max = 2.0;        ///< cap
  double size_per_edge = 50.0;  ///< extra contracts per unit of edge above theta
  TakerOrder order = TakerOrder::kIoc;
  ActivityDraw activity_draw = ActivityDraw::kSkip;  ///< interval schedule only
  PriceReference reference = PriceReference::kBook;
  SignalSpec signal;
  ScheduleSpec schedule;
};

struct NoiseSpec {
  int count = 20;
  double rate = 1.8;                        ///< arrivals per second per trader
  SizeDist size_dist = SizeDist::kUniform;  ///< uniform on [size_min, size_max] or geometric(mean)
  double size_min = 1.0;                    ///< contracts
  double size_max = 1.0;
  double size_mean = 1.0;
  double limit_fraction = 0.0;     ///< share of arrivals posted as limit orders near the touch
  double limit_offset_max = 0.01;  ///< limit orders rest up to this far behind the touch
  double limit_ttl_ms = 1000.0;    ///< and are cancelled after this time
  NoiseArrivals arrivals = NoiseArrivals::kPoisson;
  double step_ms = 100.0;  ///< per_step: the arrival step
  NoiseLimitPrice limit_price = NoiseLimitPrice::kBehindTouch;
  bool limit_gtc = false;  ///< limit orders are never cancelled (limit_ttl_ms unused)
  PriceReference reference = PriceReference::kBook;
};

struct SniperSpec {
  bool enabled = false;
  int count = 1;
  double theta_snipe = 0.02;
  double size = 1.0;
  SignalSpec signal;
};

/// The predecessor's RFQ request flow: at every interval from t = 0 a request with probability
/// `probability`, sent by the informed requester with probability `informed_share` and else by
/// the noise requester, random side, size U(size_min, size_max). The two requesters (one per
/// class, after the class's traders) read one shared stream, so at most one requests per step.
struct RequesterSpec {
  bool enabled = false;
  double interval_ms = 100.0;
  double probability = 0.5;
  double informed_share = 0.5;
  double size_min = 0.5;  ///< contracts
  double size_max = 2.0;
};

/// The predecessor's RFQ dealers: when enabled the market makers only answer requests; dealer
/// i (0-based) quotes its signal +/- (half_spread - i * step + U(0, step)).
struct DealerSpec {
  bool enabled = false;
  double half_spread = 0.01;
  double step = 0.0015;  ///< the predecessor's dealer_competition_step
};

struct AgentsSpec {
  MarketMakerSpec market_maker;
  InformedSpec informed;
  NoiseSpec noise;
  SniperSpec sniper;
  RequesterSpec requester;
  DealerSpec dealer;
};

/// Latency per agent class; classes not overridden use `default_profile`.
struct LatencyProfiles {
  LatencySpec default_profile;
  LatencySpec market_maker;
  LatencySpec informed;
  LatencySpec noise;
  LatencySpec sniper;
};

struct MetricsSpec {
  std::vector<double> as_horizons_ms = {100.0, 1000.0, 10000.0};  ///< one as_loss column each
  double sample_ms = 100.0;       ///< sampling step of quoted spread, depth, RMSE, inventory
  double shock_threshold = 0.05;  ///< |dp| per latent step that counts as a shock
  QuoteSample mm_quote_sample = QuoteSample::kLastDecision;  ///< for mm_quoted_spread
};

/// Reduced-form Avellaneda & Stoikov (2008) environment.
struct As2008Spec {
  As2008Strategy strategy = As2008Strategy::kInventory;
  As2008Spread spread = As2008Spread::kConstant;
  double s0 = 100.0;
  double T = 1.0;
  double sigma = 2.0;
  double dt = 0.005;
  double k = 1.5;
  double A = 140.0;
  double gamma = 0.1;
};

/// Reduced-form Glosten & Milgrom (1985) environment (docs/model.md).
struct GlostenMilgromSpec {
  double v_low = 0.0;   ///< the asset's low value
  double v_high = 1.0;  ///< the asset's high value
  double prior = 0.5;   ///< P(V = v_high), also the market maker's initial belief
  double mu = 0.3;      ///< share of informed traders among arrivals
  int trades = 100;     ///< trader arrivals per run
};

/// A batch mechanism's clearing parameters (docs/batch-auctions.md).
struct BatchSpec {
  double delta_ms = 100.0;  ///< batch interval Delta
  TieRule tie_rule = TieRule::kImbalance;
  Allocation allocation = Allocation::kTime;
};

/// Dual-flow batch: batch parameters plus the PT-017 gate.
struct DualFlowSpec {
  BatchSpec batch;                ///< keys sit directly under mechanism.dual_flow
  bool acknowledge_gate = false;  ///< must be true for run.mechanism = "dual_flow"
};

/// Request for quote (docs/rfq.md).
struct RfqSpec {
  int dealers = 1;           ///< dealers asked per request (market makers; all when >= count)
  double response_ms = 5.0;  ///< request -> quotes at the taker
  double ttl_ms = 50.0;      ///< quote validity from the request
};

/// Parameters of each mechanism; only the one run.mechanism names is used.
struct MechanismSpec {
  BatchSpec fba;
  DualFlowSpec dual_flow;
  RfqSpec rfq;
};

/// Everything one run needs.
struct ScenarioSpec {
  RunSpec run;
  MarketSpec market;
  LatentSpec latent;
  AgentsSpec agents;
  LatencyProfiles latency;
  MetricsSpec metrics;
  As2008Spec as2008;
  GlostenMilgromSpec glosten_milgrom;
  MechanismSpec mechanism;
};

}  // namespace proteus::engine

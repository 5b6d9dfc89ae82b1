export { DEFAULT_ASSUMPTIONS, estimateCost, hourlyCostEur, instanceUsdPerHour, egressUsd, pricingFor } from './model.ts';
export type { CostAssumptions, CostEstimate, CostLine } from './model.ts';
export { egressGbPerParticipantHour, egressMbitPerParticipant } from './bandwidth.ts';
export { PRICES_RECORDED_ON, PRICE_SOURCES, REGION_PRICES, USD_PER_EUR } from './prices.ts';

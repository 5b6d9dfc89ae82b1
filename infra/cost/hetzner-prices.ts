// Hetzner Cloud list prices jitsi-eu estimates with, in one dated table: EUR, excluding VAT,
// for the EU locations (fsn1, nbg1, hel1), which share one price list. Hetzner bills by the hour
// up to the monthly price below; a server is billed while it exists, running or not.
//
// Hetzner raised every existing server's price on 1 April 2026 and, from 15 June 2026, moved new
// orders (and any rescaled server) to a new list. A stack deployed today creates new servers, so
// the table holds the list for new orders as recorded on the date below.

import type { StoppedBilling } from './pricing.ts';

export const HETZNER_PRICES_RECORDED_ON = '2026-09-08';

export const HETZNER_PRICE_SOURCES = [
  'https://www.hetzner.com/cloud/ as transcribed on 2026-09-08, after the April and June 2026 price changes (every server type below)',
  'Hetzner Cloud price API (location fsn1) as published in MoveInfra eu-cloud-prices, data of 2026-10-28 (ccx13, ccx23, ccx33: the same figures)',
  'https://docs.hetzner.com/cloud/servers/primary-ips/overview/ (Primary IPv4 €0.50 a month, IPv6 free; page of 2022-08-10)',
  'Hetzner Cloud price API on 2026-05-27: traffic beyond the included volume €1.00 per TB (EU locations)',
];

/**
 * Monthly price of each server type jitsi-eu knows (infra/cost/hetzner-server-types.ts). A type
 * missing here has no recorded price: the estimate says its cost is unknown rather than guessing.
 */
export const HETZNER_SERVER_MONTHLY_EUR: Readonly<Record<string, number>> = {
  cx23: 5.49,
  cx33: 8.49,
  cx43: 15.99,
  cx53: 29.49,
  cpx22: 19.49,
  cpx32: 35.49,
  cpx42: 69.49,
  cpx52: 100.49,
  cpx62: 129.99,
  ccx13: 42.99,
  ccx23: 85.99,
  ccx33: 138.49,
  ccx43: 275.99,
};

/**
 * Hetzner Cloud bills a server from its creation until it is deleted, whatever its power state:
 * the host keeps its CPU, memory and disk reserved. Source: Hetzner Cloud billing FAQ, "Do you
 * bill servers that are off?", https://docs.hetzner.com/cloud/billing/faq/ (page last changed
 * 2023-08-03, read 2026-12-06).
 */
export const HETZNER_STOPPED_BILLING: StoppedBilling = {
  rule: 'full',
  statement: 'Hetzner Cloud bills a powered-off server in full until it is deleted (its resources stay reserved); stopping it saves nothing',
  source: 'https://docs.hetzner.com/cloud/billing/faq/ (page of 2023-08-03, read 2026-12-06)',
};

/** Each server's public IPv4 address is a Primary IP, billed on its own. Primary IPv6 is free. */
export const HETZNER_PRIMARY_IPV4_MONTHLY_EUR = 0.5;

/** Outgoing traffic included with every server in the EU locations; ingress and private traffic are free. */
export const HETZNER_INCLUDED_TRAFFIC_TB_PER_SERVER = 20;
/** Each TB (10^12 bytes) of outgoing traffic beyond the included volume. */
export const HETZNER_TRAFFIC_EUR_PER_TB = 1.0;

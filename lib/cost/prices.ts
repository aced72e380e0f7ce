/**
 * On-demand list prices the cost report uses. One table per region, each with its date and source: prices
 * differ by region and change over time, so the report prints them with every figure.
 */
export interface PriceTable {
  /** AWS region code, such as us-east-1. */
  readonly region: string;
  readonly regionName: string;
  /** The day the prices were read from their source (ISO date). */
  readonly date: string;
  readonly source: string;
  /** Hours in the month the report bills (AWS bills 730 on average). */
  readonly hoursPerMonth: number;
  /** EKS control plane, USD per cluster-hour. */
  readonly eksStandardSupportHourly: number;
  readonly eksExtendedSupportHourly: number;
  /** NAT gateway, USD per hour; data processed is billed per GB on top. */
  readonly natGatewayHourly: number;
  readonly natGatewayPerGb: number;
  /** A public IPv4 address (a NAT gateway's Elastic IP among them), USD per hour. */
  readonly publicIpv4Hourly: number;
  /** A KMS customer managed key, USD per month; requests past the free tier are billed per 10,000. */
  readonly kmsKeyMonthly: number;
  readonly kmsPer10kRequests: number;
  /** CloudWatch Logs: ingestion (EKS control-plane logs are vended logs, same first-tier rate) and storage. */
  readonly logsIngestionPerGb: number;
  readonly logsStoragePerGbMonth: number;
  /** Linux on-demand prices per instance family. */
  readonly families: Readonly<Record<string, FamilyPrices>>;
  /** The same-generation family of the other architecture: m7g <-> m7i. */
  readonly counterpartFamily: Readonly<Record<string, string>>;
}

/**
 * One instance family's prices. Within a family, on-demand prices scale with the size's normalization factor
 * (large = 4, xlarge = 8, ...), so the `large` price and the factor give every size; `exceptions` lists the
 * sizes whose list price AWS rounds differently (only some `medium` sizes in this table).
 */
export interface FamilyPrices {
  /** USD per hour of the `large` size. */
  readonly large: number;
  /** The sizes of this family the table prices. */
  readonly sizes: readonly string[];
  /** List prices that differ from `large` x factor / 4. */
  readonly exceptions?: Readonly<Record<string, number>>;
}

/**
 * EC2 normalization factors (EC2 user guide, "Reserved Instances: instance size flexibility"). Metal sizes
 * have none that fits their price, so they are left out.
 */
export const NORMALIZATION_FACTORS: Readonly<Record<string, number>> = {
  medium: 2, large: 4, xlarge: 8, '2xlarge': 16, '4xlarge': 32, '8xlarge': 64, '12xlarge': 96, '16xlarge': 128,
};

/** The on-demand price of `instanceType` in `table`, or undefined when the table does not price it. */
export function instanceHourly(table: PriceTable, instanceType: string): number | undefined {
  const [family, size] = instanceType.split('.');
  const prices = table.families[family];
  if (!prices || !prices.sizes.includes(size)) return undefined;
  const exception = prices.exceptions?.[size];
  if (exception !== undefined) return exception;
  // Rounded to the 6 decimals AWS publishes, so 0.0816 x 8 is 0.6528 and not 0.6527999999.
  return Math.round((prices.large * NORMALIZATION_FACTORS[size] / 4) * 1e6) / 1e6;
}

const FROM_MEDIUM = ['medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'];
const FROM_LARGE = FROM_MEDIUM.slice(1);
const BURSTABLE = ['medium', 'large', 'xlarge', '2xlarge'];

/**
 * us-east-1. Every `large` price and every exception was checked on 2026-11-28 against Karpenter's generated
 * on-demand table (aws/karpenter-provider-aws, pkg/providers/pricing/zz_generated.pricing_aws.go, "generated at
 * 2026-07-20T13:44:30Z for us-east-1", read from the AWS Price List API), and every size from medium/large to
 * 16xlarge of these families against the same table: the factor rule holds except for the four listed mediums.
 * EKS rates: AWS containers blog, "Amazon EKS extended support for Kubernetes versions pricing" ($0.10 standard,
 * $0.60 extended per cluster-hour). NAT gateway: Amazon VPC pricing page (not re-checked on 2026-11-28).
 * Public IPv4: $0.005 per address-hour for every AWS-provided public IPv4 address, in use or idle, since
 * 2024-02-01 (AWS News Blog, "New - AWS Public IPv4 Address Charge + Public IP Insights"; Amazon VPC pricing
 * page). KMS: $1 per customer managed key-month, $0.03 per 10,000 requests past 20,000 free each month (AWS KMS
 * pricing page). CloudWatch Logs, us-east-1: $0.50 per GB ingested, $0.03 per GB-month stored (CloudWatch
 * pricing page). All checked through the search tool on 2026-12-04.
 */
export const US_EAST_1_PRICES: PriceTable = {
  region: 'us-east-1',
  regionName: 'US East (N. Virginia)',
  date: '2026-07-20',
  source: 'AWS Price List (EC2 Linux on-demand via Karpenter\'s generated table; EKS and VPC pricing pages)',
  hoursPerMonth: 730,
  eksStandardSupportHourly: 0.10,
  eksExtendedSupportHourly: 0.60,
  natGatewayHourly: 0.045,
  natGatewayPerGb: 0.045,
  publicIpv4Hourly: 0.005,
  kmsKeyMonthly: 1,
  kmsPer10kRequests: 0.03,
  logsIngestionPerGb: 0.5,
  logsStoragePerGbMonth: 0.03,
  families: {
    // Burstable: t4g (Graviton2) and t3 (Intel) stop at 2xlarge.
    t4g: { large: 0.0672, sizes: BURSTABLE },
    t3: { large: 0.0832, sizes: BURSTABLE },
    // Graviton2 (6g), Graviton3 (7g), Graviton4 (8g), Graviton5 (m9g).
    m6g: { large: 0.077, sizes: FROM_MEDIUM },
    m7g: { large: 0.0816, sizes: FROM_MEDIUM },
    m8g: { large: 0.08976, sizes: FROM_MEDIUM },
    m9g: { large: 0.09784, sizes: FROM_MEDIUM },
    c6g: { large: 0.068, sizes: FROM_MEDIUM },
    c7g: { large: 0.0725, sizes: FROM_MEDIUM, exceptions: { medium: 0.0363 } },
    c8g: { large: 0.07976, sizes: FROM_MEDIUM },
    r6g: { large: 0.1008, sizes: FROM_MEDIUM },
    r7g: { large: 0.1071, sizes: FROM_MEDIUM, exceptions: { medium: 0.0536 } },
    r8g: { large: 0.11782, sizes: FROM_MEDIUM },
    // Intel: no medium size.
    m6i: { large: 0.096, sizes: FROM_LARGE },
    m7i: { large: 0.1008, sizes: FROM_LARGE },
    m8i: { large: 0.10584, sizes: FROM_LARGE },
    c6i: { large: 0.085, sizes: FROM_LARGE },
    c7i: { large: 0.08925, sizes: FROM_LARGE },
    c8i: { large: 0.09371, sizes: FROM_LARGE },
    r6i: { large: 0.126, sizes: FROM_LARGE },
    r7i: { large: 0.1323, sizes: FROM_LARGE },
    r8i: { large: 0.13892, sizes: FROM_LARGE },
    // AMD: the 6th generation has no medium size.
    m6a: { large: 0.0864, sizes: FROM_LARGE },
    m7a: { large: 0.11592, sizes: FROM_MEDIUM },
    m8a: { large: 0.12172, sizes: FROM_MEDIUM },
    c6a: { large: 0.0765, sizes: FROM_LARGE },
    c7a: { large: 0.10264, sizes: FROM_MEDIUM },
    c8a: { large: 0.10777, sizes: FROM_MEDIUM, exceptions: { medium: 0.05389 } },
    r6a: { large: 0.1134, sizes: FROM_LARGE },
    r7a: { large: 0.15215, sizes: FROM_MEDIUM, exceptions: { medium: 0.07608 } },
    r8a: { large: 0.15976, sizes: FROM_MEDIUM },
  },
  counterpartFamily: {
    t4g: 't3', t3: 't4g',
    m6g: 'm6i', m7g: 'm7i', m8g: 'm8i', m9g: 'm8i', // no 9th-generation Intel m family yet: the newest one
    c6g: 'c6i', c7g: 'c7i', c8g: 'c8i',
    r6g: 'r6i', r7g: 'r7i', r8g: 'r8i',
    m6i: 'm6g', m7i: 'm7g', m8i: 'm8g',
    c6i: 'c6g', c7i: 'c7g', c8i: 'c8g',
    r6i: 'r6g', r7i: 'r7g', r8i: 'r8g',
    m6a: 'm6g', m7a: 'm7g', m8a: 'm8g',
    c6a: 'c6g', c7a: 'c7g', c8a: 'c8g',
    r6a: 'r6g', r7a: 'r7g', r8a: 'r8g',
  },
};

/** Price tables by region code. Other regions are not priced: their figures differ and are not guessed. */
export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = {
  [US_EAST_1_PRICES.region]: US_EAST_1_PRICES,
};

/** The price table of `region`, or undefined when there is none (or the region is unknown at synth). */
export function priceTableFor(region: string | undefined): PriceTable | undefined {
  return region === undefined ? undefined : PRICE_TABLES[region];
}

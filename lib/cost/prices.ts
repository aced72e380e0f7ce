/**
 * On-demand list prices the cost report uses. One region, one date, one source: prices differ by region and
 * change over time, so the report prints this header with every figure.
 */
export interface PriceTable {
  readonly region: string;
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
  /** Linux on-demand, USD per instance-hour. */
  readonly instanceHourly: Readonly<Record<string, number>>;
  /** The same-generation family of the other architecture: m7g <-> m7i. */
  readonly counterpartFamily: Readonly<Record<string, string>>;
}

export const US_EAST_1_PRICES: PriceTable = {
  region: 'us-east-1 (N. Virginia)',
  date: '2026-11-27',
  source: 'AWS public price list (EC2 On-Demand Linux, Amazon EKS, Amazon VPC pricing pages), entered by hand',
  hoursPerMonth: 730,
  eksStandardSupportHourly: 0.10,
  eksExtendedSupportHourly: 0.60,
  natGatewayHourly: 0.045,
  natGatewayPerGb: 0.045,
  instanceHourly: {
    't4g.medium': 0.0336, 't4g.large': 0.0672, 't4g.xlarge': 0.1344,
    't3.medium': 0.0416, 't3.large': 0.0832, 't3.xlarge': 0.1664,
    'm6g.large': 0.077, 'm6g.xlarge': 0.154, 'm6g.2xlarge': 0.308,
    'm6i.large': 0.096, 'm6i.xlarge': 0.192, 'm6i.2xlarge': 0.384,
    'm7g.large': 0.0816, 'm7g.xlarge': 0.1632, 'm7g.2xlarge': 0.3264,
    'm7i.large': 0.1008, 'm7i.xlarge': 0.2016, 'm7i.2xlarge': 0.4032,
    'c6g.large': 0.068, 'c6g.xlarge': 0.136,
    'c6i.large': 0.085, 'c6i.xlarge': 0.17,
    'c7g.large': 0.0725, 'c7g.xlarge': 0.145, 'c7g.2xlarge': 0.29,
    'c7i.large': 0.08925, 'c7i.xlarge': 0.1785, 'c7i.2xlarge': 0.357,
    'r6g.large': 0.1008, 'r6g.xlarge': 0.2016,
    'r6i.large': 0.126, 'r6i.xlarge': 0.252,
    'r7g.large': 0.1071, 'r7g.xlarge': 0.2142,
    'r7i.large': 0.1323, 'r7i.xlarge': 0.2646,
  },
  counterpartFamily: {
    t4g: 't3', t3: 't4g',
    m6g: 'm6i', m6i: 'm6g', m7g: 'm7i', m7i: 'm7g',
    c6g: 'c6i', c6i: 'c6g', c7g: 'c7i', c7i: 'c7g',
    r6g: 'r6i', r6i: 'r6g', r7g: 'r7i', r7i: 'r7g',
  },
};

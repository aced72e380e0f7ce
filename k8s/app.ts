import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { ARCHITECTURE_INFO, Architecture } from '../lib/config/architectures';
import { ConfigError } from '../lib/config/errors';
import { autoscaledPools, clusterArchitectures, nodePlacements } from '../lib/config/project-config';
import { ProjectConfig, WORKLOAD_NAMES, WorkloadName } from '../lib/config/types';
import type { KubernetesObjects, WorkloadManifests } from '../lib/mixed-arch-eks-stack';
import { BusyboxChart } from './charts/busybox-chart';
import { NamespaceChart } from './charts/namespace-chart';
import { PrintPlatformInfoChart } from './charts/print-platform-info-chart';

/** The architecture each workload is pinned to whatever the node groups run; print-platform-info follows them. */
const PINNED_TO: Readonly<Record<WorkloadName, Architecture | undefined>> = {
  busybox: BusyboxChart.ARCH,
  'print-platform-info': undefined,
};

/**
 * Adds the chart of each workload the `workloads` key selects to `app`, one chart (and so one file) each: the
 * namespace (unless `default`), busybox, print-platform-info pinned to each architecture the node groups (and
 * Karpenter NodePools) run, and print-platform-info unpinned. A selected workload pinned to an architecture no
 * node runs is refused, naming the key that leaves it out.
 */
export function addWorkloadCharts(app: App, config: ProjectConfig): void {
  // Node groups and NodePools alike: a workload pinned to arm64 may land on an arm64 NodePool's node.
  const nodeGroups = nodePlacements(config.cluster);
  const { selected, namespace, printPlatformInfoImage, busyboxImage, imagePullSecretName } = config.workloads;
  checkPlaceable(selected, clusterArchitectures(config.cluster), autoscaledPools(config.cluster).length > 0 ? 'the node groups and NodePools' : 'the node groups');
  if (namespace !== 'default') new NamespaceChart(app, NamespaceChart.ID, { name: namespace });
  if (selected.includes('busybox')) new BusyboxChart(app, 'busybox', { namespace, image: busyboxImage, nodeGroups, imagePullSecretName });
  if (!selected.includes('print-platform-info')) return;
  for (const arch of [...clusterArchitectures(config.cluster), undefined]) {
    new PrintPlatformInfoChart(app, PrintPlatformInfoChart.instanceName(arch), {
      namespace, image: printPlatformInfoImage, imagePullSecretName, nodeGroups, arch,
    });
  }
}

/** Refuses, before any chart exists, each selected workload whose pinned architecture no node group runs. */
function checkPlaceable(selected: readonly WorkloadName[], runs: readonly Architecture[], nodes: string): void {
  const stranded = selected.filter((w) => PINNED_TO[w] !== undefined && !runs.includes(PINNED_TO[w] as Architecture));
  if (stranded.length === 0) return;
  const rest = selected.filter((w) => !stranded.includes(w));
  const keep = rest.length > 0 ? rest : WORKLOAD_NAMES.filter((w) => !stranded.includes(w));
  throw new ConfigError(stranded.map((workload) => {
    const arch = PINNED_TO[workload] as Architecture;
    return {
      key: 'workloads',
      value: selected.join(','),
      problem: `${workload} is pinned to ${arch}, but ${nodes} run ${runs.join(', ') || 'nothing'}, so its pod would stay Pending`,
      fix: `leave it out with "workloads": ${JSON.stringify(keep)} in cdk.json, or add a node group with "arch": "${arch}" (such as ${ARCHITECTURE_INFO[arch].exampleInstanceType})`,
    };
  }));
}

/** The charts' Kubernetes objects, for the CDK stack to apply (`deployWorkloads`, the pipeline's namespace). */
export function workloadManifests(config: ProjectConfig): WorkloadManifests {
  const app = new App();
  addWorkloadCharts(app, config);
  const objects = (chart: Chart): KubernetesObjects => ({ id: chart.node.id, objects: chart.toJson() });
  // By id, not instanceof: cdk8s's Chart answers instanceof for every chart (Symbol.hasInstance is Chart.isChart),
  // so instanceof NamespaceChart took busybox for the namespace in the default namespace.
  const namespace = app.charts.find((chart) => chart.node.id === NamespaceChart.ID);
  return {
    namespace: namespace ? objects(namespace) : undefined,
    workloads: app.charts.filter((chart) => chart !== namespace).map(objects),
  };
}

/**
 * The cdk8s app as `cdk8s synth` runs it: one `<chart>.k8s.yaml` file per chart in `outdir`.
 * @param outdir default: what `cdk8s synth --output` sets (CDK8S_OUTDIR), else `dist`
 */
export function buildK8sApp(config: ProjectConfig, outdir?: string): App {
  const app = new App({ outdir, outputFileExtension: '.k8s.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
  addWorkloadCharts(app, config);
  return app;
}

/**
 * The output folder cdk8s.yaml gives cdk8s-cli, which empties it before it runs the app: not dist/, so that a
 * refused configuration leaves dist/ as it was. k8s/main.ts writes dist/ and copies it here for the CLI to list.
 */
export const CDK8S_STAGING = '.cdk8s.out';

/**
 * Synthesizes into a fresh folder next to `outdir`, then swaps it in: a configuration the charts refuse (or any
 * other failure) leaves the previous manifests exactly as they were, as `cdk synth` does for cdk.out/. Returns the
 * files written, sorted.
 * @param outdir default: CDK8S_OUTDIR (set by `cdk8s synth`), else `dist`
 */
export function writeManifests(config: ProjectConfig, outdir = process.env.CDK8S_OUTDIR || 'dist'): string[] {
  const target = resolve(outdir);
  mkdirSync(dirname(target), { recursive: true });
  removeAbandonedStaging(target);
  // Same parent, so the renames below stay on one filesystem and each is atomic. The pid in the name tells a
  // later run whether the run that made it is still going.
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.new-${process.pid}-`));
  const previous = `${staging}.old`;
  try {
    buildK8sApp(config, staging).synth();
    // mkdtemp makes the folder private (0700); dist/ gets the mode any new folder gets (0755 under umask 022).
    chmodSync(staging, 0o777 & ~process.umask());
    if (existsSync(target)) renameSync(target, previous);
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  rmSync(previous, { recursive: true, force: true });
  return readdirSync(target).sort();
}

/**
 * Removes the staging folders (and swapped-out previous ones) a killed run left next to `target`: those whose
 * process is gone. A run still under way (another terminal) keeps its own.
 */
function removeAbandonedStaging(target: string): void {
  const prefix = `.${basename(target)}.new-`;
  for (const name of readdirSync(dirname(target))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (Number.isInteger(pid) && pid > 0 && isRunning(pid)) continue;
    rmSync(join(dirname(target), name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, owned by another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

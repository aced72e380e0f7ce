import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { clusterArchitectures, nodePlacements } from '../lib/config/project-config';
import { ProjectConfig } from '../lib/config/types';
import type { KubernetesObjects, WorkloadManifests } from '../lib/mixed-arch-eks-stack';
import { BusyboxChart } from './charts/busybox-chart';
import { NamespaceChart } from './charts/namespace-chart';
import { PrintPlatformInfoChart } from './charts/print-platform-info-chart';

/**
 * Adds every workload chart to `app`, one chart (and so one file) each: the namespace (unless `default`),
 * busybox, print-platform-info pinned to each architecture the node groups (and Karpenter NodePools) run, and
 * print-platform-info unpinned.
 */
export function addWorkloadCharts(app: App, config: ProjectConfig): void {
  // Node groups and NodePools alike: a workload pinned to arm64 may land on an arm64 NodePool's node.
  const nodeGroups = nodePlacements(config.cluster);
  const { namespace, printPlatformInfoImage, busyboxImage, imagePullSecretName } = config.workloads;
  if (namespace !== 'default') new NamespaceChart(app, NamespaceChart.ID, { name: namespace });
  new BusyboxChart(app, 'busybox', { namespace, image: busyboxImage, nodeGroups, imagePullSecretName });
  for (const arch of [...clusterArchitectures(config.cluster), undefined]) {
    new PrintPlatformInfoChart(app, PrintPlatformInfoChart.instanceName(arch), {
      namespace, image: printPlatformInfoImage, imagePullSecretName, nodeGroups, arch,
    });
  }
}

/** The charts' Kubernetes objects, for the CDK stack to apply (`deployWorkloads`, the pipeline's namespace). */
export function workloadManifests(config: ProjectConfig): WorkloadManifests {
  const app = new App();
  addWorkloadCharts(app, config);
  const objects = (chart: Chart): KubernetesObjects => ({ id: chart.node.id, objects: chart.toJson() });
  const namespace = app.charts.find((chart) => chart instanceof NamespaceChart);
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
 * Synthesizes into a fresh folder next to `outdir`, then swaps it in: a configuration the charts refuse (or any
 * other failure) leaves the previous manifests exactly as they were, as `cdk synth` does for cdk.out/. Returns the
 * files written, sorted.
 * @param outdir default: CDK8S_OUTDIR (set by `cdk8s synth`), else `dist`
 */
export function writeManifests(config: ProjectConfig, outdir = process.env.CDK8S_OUTDIR || 'dist'): string[] {
  const target = resolve(outdir);
  mkdirSync(dirname(target), { recursive: true });
  // Same parent, so the renames below stay on one filesystem and each is atomic.
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.new-`));
  const previous = `${staging}.old`;
  try {
    buildK8sApp(config, staging).synth();
    if (existsSync(target)) renameSync(target, previous);
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  rmSync(previous, { recursive: true, force: true });
  return readdirSync(target).sort();
}

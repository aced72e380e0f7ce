import { Architecture, ARCHITECTURES } from '../config/architectures';
import { ImageInspection, coveredArchitectures } from './platforms';

/** One architecture an image must run on, and who needs it (`node group graviton`, `Job default/print`). */
export interface ArchRequirement {
  readonly arch: Architecture;
  readonly neededBy: string;
}

/** The outcome for one image: each required architecture, covered or missing, with everyone who needs it. */
export interface CoverageResult {
  readonly covered: readonly ArchNeed[];
  readonly missing: readonly ArchNeed[];
  /** The node architectures the image does offer (to say "it has amd64 only"). */
  readonly offered: readonly Architecture[];
}

export interface ArchNeed {
  readonly arch: Architecture;
  readonly neededBy: readonly string[];
}

/** Compares the platforms of an image with the architectures required of it. */
export function checkCoverage(inspection: Pick<ImageInspection, 'entries'>, requirements: readonly ArchRequirement[]): CoverageResult {
  const offered = coveredArchitectures(inspection);
  const needs: ArchNeed[] = ARCHITECTURES.map((arch) => ({
    arch,
    neededBy: [...new Set(requirements.filter((r) => r.arch === arch).map((r) => r.neededBy))],
  })).filter((need) => need.neededBy.length > 0);
  return {
    covered: needs.filter((n) => offered.includes(n.arch)),
    missing: needs.filter((n) => !offered.includes(n.arch)),
    offered,
  };
}

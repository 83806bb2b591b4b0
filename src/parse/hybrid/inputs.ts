import { buildRegionPrompt, regionCast, type RegionCast } from './prompt.js';
import type { Region, RulesReading } from './regions.js';

/** Everything one region's question is made of; the same for the call and for applying its answer. */
export interface RegionInputs {
  region: Region;
  /** The uncertain passage as the script prints it. */
  passage: string;
  cast: RegionCast;
  prompt: string;
}

export function buildRegionInputs(reading: RulesReading, text: string, index: number): RegionInputs {
  const region = reading.regions[index]!;
  const passage = text.slice(region.sourceStart, region.sourceEnd).trim();
  const cast = regionCast(reading.rules.play, region);
  return { region, passage, cast, prompt: buildRegionPrompt(reading.rules.play, region, cast, passage) };
}

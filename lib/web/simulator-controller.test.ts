import { describe, expect, it } from 'vitest';
import { MIX_PRESETS } from '../simulator/channel-mix.ts';
import { liveTrafficSchema } from './schemas.ts';
import { generatorSettings } from './simulator-controller.ts';

describe('generatorSettings', () => {
  it("hands the request's channel mix to the generator", () => {
    const settings = (body: unknown) => generatorSettings(liveTrafficSchema.parse(body), 15_000);
    expect(settings({}).channelMix).toEqual(MIX_PRESETS.balanced);
    expect(settings({ channelMix: 'plain' }).channelMix).toEqual(MIX_PRESETS.plain);
    expect(settings({ channelMix: { email: 2 } }).channelMix).toMatchObject({
      email: 2,
      direct: 0,
    });
  });
});

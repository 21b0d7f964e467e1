import { z } from 'zod';
import { ExhibitRef } from './evidence';

/** An image imported on its own: the probe a search starts from, or a watch list's reference image. */
export const ProbeImport = z
  .object({
    path: z.string().min(1).max(4096),
    exhibitRef: ExhibitRef.optional(),
    /** 'reference' for a watch-list image, 'probe' for the image a search starts from. */
    role: z.enum(['probe', 'reference']).default('probe'),
  })
  .strict();

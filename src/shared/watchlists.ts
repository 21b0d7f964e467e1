import { z } from 'zod';
import { IsoDate } from './domain';
import { FaceId, FaceSummary } from './evidence';

export const WatchlistId = z.number().int().positive();
export const EntryId = z.number().int().positive();

export const Watchlist = z.object({
  id: WatchlistId,
  name: z.string(),
  description: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  entries: z.number().int(),
});
export type Watchlist = z.infer<typeof Watchlist>;

export const WatchlistEntry = z.object({
  id: EntryId,
  watchlistId: WatchlistId,
  face: FaceSummary,
  label: z.string(),
  source: z.string(),
  reason: z.string(),
  retentionDate: z.string(),
  addedBy: z.string(),
  addedAt: z.string(),
});
export type WatchlistEntry = z.infer<typeof WatchlistEntry>;

export const NewWatchlistEntry = z
  .object({
    watchlistId: WatchlistId,
    faceId: FaceId,
    label: z.string().trim().min(1, 'Name or describe the person').max(200),
    source: z.string().trim().min(1, 'Say where the reference image came from').max(1000),
    reason: z.string().trim().min(10, 'Say why this person is on the list (at least 10 characters)').max(2000),
    retentionDate: IsoDate,
  })
  .strict();

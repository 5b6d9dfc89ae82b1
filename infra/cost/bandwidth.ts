// How much a participant costs in Internet egress, from the videobridge's forwarding model: with
// simulcast each participant receives the speaker on stage at 720p and everyone else as a 180p
// thumbnail (Jitsi's published layer bitrates: 720p about 2.5 Mbit/s, 180p 0.15-0.2 Mbit/s; the
// upper figure is used). Ingress is free on AWS; only what the bridge and coturn send out counts.

export const STAGE_MBIT_PER_S = 2.5;
export const THUMBNAIL_MBIT_PER_S = 0.2;

/** Default meeting size for estimates: a seminar-sized group. */
export const DEFAULT_MEETING_SIZE = 10;

/** Mbit/s the deployment sends to one participant of a meeting of `meetingSize` (all on video). */
export function egressMbitPerParticipant(meetingSize: number, lastN = Number.POSITIVE_INFINITY): number {
  if (!Number.isFinite(meetingSize) || meetingSize < 2) return 0;
  const thumbnails = Math.min(meetingSize - 2, lastN);
  return STAGE_MBIT_PER_S + Math.max(0, thumbnails) * THUMBNAIL_MBIT_PER_S;
}

/** GB (10^9 bytes) sent to one participant during one hour. */
export function egressGbPerParticipantHour(meetingSize: number, lastN?: number): number {
  return (egressMbitPerParticipant(meetingSize, lastN) * 1e6 * 3600) / 8 / 1e9;
}

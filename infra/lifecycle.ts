// How a videobridge leaves the autoscaling group: AWS holds the instance in Terminating:Wait
// through a lifecycle hook; the bridge notices (instance metadata), shuts down gracefully so
// running meetings end on their own, then completes the lifecycle action.

/** Name of the termination lifecycle hook on the bridge Auto Scaling group. */
export const DRAIN_HOOK_NAME = 'jitsi-eu-bridge-drain';
/** Heartbeat timeout of the hook; the drain script records a heartbeat well within it. */
export const DRAIN_HEARTBEAT_SECONDS = 1800;
/** Longest a bridge waits for its last meeting before it gives up and lets AWS terminate it. */
export const DRAIN_MAX_SECONDS = 6 * 3600;

// Hetzner Cloud and OpenStack delete a bridge about 30 to 60 seconds after asking it to shut down,
// too soon for its meetings to end. So before a scale-in, deploy asks the leaving bridges to drain
// ahead: it writes one request per bridge on the signaling node, in the bridges' share, and each
// bridge there polls for its own and puts its videobridge in drain mode (no new meetings, running
// ones go on). The request holds its expiry, so one left by an interrupted deploy lapses by itself.

/** The folder of drain requests inside the bridges' share: one file per bridge server id, holding the request's expiry in Unix seconds. */
export const DRAIN_REQUESTS_FOLDER = 'drain';
/** How often a bridge asks the signaling node whether it is asked to drain. */
export const DRAIN_REQUEST_POLL_SECONDS = 10;

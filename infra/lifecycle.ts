// How a videobridge leaves the autoscaling group: AWS holds the instance in Terminating:Wait
// through a lifecycle hook; the bridge notices (instance metadata), shuts down gracefully so
// running meetings end on their own, then completes the lifecycle action.

/** Name of the termination lifecycle hook on the bridge Auto Scaling group. */
export const DRAIN_HOOK_NAME = 'jitsi-eu-bridge-drain';
/** Heartbeat timeout of the hook; the drain script records a heartbeat well within it. */
export const DRAIN_HEARTBEAT_SECONDS = 1800;
/** Longest a bridge waits for its last meeting before it gives up and lets AWS terminate it. */
export const DRAIN_MAX_SECONDS = 6 * 3600;

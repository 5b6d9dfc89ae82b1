// A failed network probe, with a short code (ECONNREFUSED, ETIMEOUT, timeout, ...) that the
// checks turn into advice, next to the message they show.
export class ProbeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

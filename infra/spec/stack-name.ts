// The one rule for stack names, used by the spec and by every command that takes one. It is
// Pulumi's own rule (letters, digits, "-", "_", "."; at most 100 characters), which also keeps out
// "*" and "?": EC2 filters treat those as wildcards, so a name holding them would select other
// stacks' resources in teardown's orphan check.

const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export const STACK_NAME_RULE = 'a stack name is 1 to 100 letters, digits, "-", "_" or "." (Pulumi\'s rule), with no wildcards';

/** Why `name` cannot be a stack name, or undefined when it can. */
export function stackNameProblem(name: string): string | undefined {
  if (STACK_NAME.test(name)) return undefined;
  if (name === '') return 'is empty';
  if (name.length > 100) return `is ${name.length} characters long`;
  const bad = [...new Set([...name].filter((c) => !/[A-Za-z0-9_.-]/.test(c)))];
  const wildcard = bad.some((c) => c === '*' || c === '?') ? ' (AWS filters would read it as a wildcard and match other stacks)' : '';
  return `contains ${bad.map((c) => JSON.stringify(c)).join(', ')}${wildcard}`;
}

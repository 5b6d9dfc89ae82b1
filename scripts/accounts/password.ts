// Passwords for host accounts: letters and digits from the operating system's CSPRNG, as long as
// the stack's own generated secrets. Easy to type, about 143 bits.
import { randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const PASSWORD_LENGTH = 24;

export function generatePassword(length = PASSWORD_LENGTH): string {
  let password = '';
  for (let i = 0; i < length; i++) password += ALPHABET[randomInt(ALPHABET.length)];
  return password;
}

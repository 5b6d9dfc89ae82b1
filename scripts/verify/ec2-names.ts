// The public DNS names AWS gives EC2 addresses, which are also their reverse DNS (PTR) names
// unless the owner set a custom one: `ec2-a-b-c-d.compute-1.amazonaws.com` in us-east-1 and
// `ec2-a-b-c-d.REGION.compute.amazonaws.com` everywhere else. The name says where the address
// is announced, which lets verify place a deployment without any downloaded data.
import { isIPv4 } from 'node:net';

const EC2_NAME = /^ec2-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})\.(?:compute-1|([a-z]{2,}(?:-[a-z]+)+-\d+)\.compute)\.amazonaws\.com\.?$/;

/**
 * The region an EC2 public DNS name places `ip` in, or undefined when the name is not AWS's
 * name for that very address (a custom PTR, another address, another provider).
 */
export function regionFromEc2Name(name: string, ip: string): string | undefined {
  if (!isIPv4(ip)) return undefined;
  const match = EC2_NAME.exec(name.toLowerCase());
  if (!match) return undefined;
  if (match.slice(1, 5).join('.') !== ip) return undefined;
  return match[5] ?? 'us-east-1';
}

// The stack's host accounts in SSM Parameter Store: one SecureString per account under
// /jitsi-eu/<stack>/accounts/, plus the stack's own `host` account (the host-password secret).
// Listing reads names and dates only, never a value.
import {
  DeleteParameterCommand,
  PutParameterCommand,
  paginateDescribeParameters,
  type ParameterMetadata,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { STACK_HOST_ACCOUNT, accountParameterName, accountsPrefix, stackHostAccountParameter } from '../../infra/accounts.ts';

export interface StoredAccount {
  name: string;
  /** When the password was last set. */
  changed?: string;
  /** The stack's own account, made with the stack (its password is Pulumi's host-password). */
  stackAccount: boolean;
}

/** Why a change could not be made: the account is missing, or already there. */
export class AccountStateError extends Error {}

/** Where a stack's host accounts are kept: SSM on AWS, the signaling node elsewhere (channel-store.ts). */
export interface HostAccountStore {
  /** Names and change times, never a password. */
  list(): Promise<StoredAccount[]>;
  /** A new account; an AccountStateError when it exists already. */
  add(name: string, password: string): Promise<void>;
  /** A new password for an existing account; an AccountStateError when there is none. */
  resetPassword(name: string, password: string): Promise<void>;
  /** An AccountStateError when there is no such account. */
  remove(name: string): Promise<void>;
  exists(name: string): Promise<boolean>;
}

export class AccountStore implements HostAccountStore {
  constructor(
    private readonly ssm: SSMClient,
    private readonly stack: string,
    /** Carried by every parameter made here, as by the stack's other resources (teardown's purge needs them). */
    private readonly tags: Record<string, string>,
  ) {}

  async list(): Promise<StoredAccount[]> {
    const prefix = accountsPrefix(this.stack);
    const accounts: StoredAccount[] = [];
    const changed = (p: ParameterMetadata) => (p.LastModifiedDate ? { changed: p.LastModifiedDate.toISOString() } : {});
    for await (const page of paginateDescribeParameters(
      { client: this.ssm },
      { ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [stackHostAccountParameter(this.stack)] }] },
    )) {
      for (const p of page.Parameters ?? []) accounts.push({ name: STACK_HOST_ACCOUNT, stackAccount: true, ...changed(p) });
    }
    for await (const page of paginateDescribeParameters({ client: this.ssm }, { ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: [prefix.replace(/\/$/, '')] }] })) {
      for (const p of page.Parameters ?? []) {
        if (p.Name?.startsWith(prefix)) accounts.push({ name: p.Name.slice(prefix.length), stackAccount: false, ...changed(p) });
      }
    }
    return accounts.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A new account; an AccountStateError when it exists already. */
  async add(name: string, password: string): Promise<void> {
    try {
      await this.ssm.send(
        new PutParameterCommand({
          Name: accountParameterName(this.stack, name),
          Value: password,
          Type: 'SecureString',
          Overwrite: false,
          Description: `jitsi-eu host account ${name} of stack ${this.stack}`,
          Tags: Object.entries(this.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ParameterAlreadyExists') throw new AccountStateError(`account ${name} exists already`);
      throw error;
    }
  }

  /** A new password for an existing account; an AccountStateError when there is none. */
  async resetPassword(name: string, password: string): Promise<void> {
    await this.requireExisting(name);
    await this.ssm.send(new PutParameterCommand({ Name: accountParameterName(this.stack, name), Value: password, Type: 'SecureString', Overwrite: true }));
  }

  async remove(name: string): Promise<void> {
    try {
      await this.ssm.send(new DeleteParameterCommand({ Name: accountParameterName(this.stack, name) }));
    } catch (error) {
      if ((error as { name?: string }).name === 'ParameterNotFound') throw new AccountStateError(`there is no account ${name}`);
      throw error;
    }
  }

  async exists(name: string): Promise<boolean> {
    return (await this.list()).some((a) => a.name === name && !a.stackAccount);
  }

  private async requireExisting(name: string): Promise<void> {
    if (!(await this.exists(name))) throw new AccountStateError(`there is no account ${name}`);
  }
}

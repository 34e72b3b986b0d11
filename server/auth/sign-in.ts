import type { AgentRecord, AttemptLimit, PeopleStore } from '../store/types.ts';
import { AttemptGate, attemptKey, clientNetwork } from './attempts.ts';
import { dummyHash, verifyPassword } from './password.ts';

/**
 * Failed sign-ins allowed in 15 minutes. Per address: enough for a few people behind one office address to mistype,
 * too few to try passwords on many accounts. Per account: guessing one agent's password from many addresses stops
 * after five; the price is that someone who knows an agent's email can keep that agent out for a quarter of an hour.
 */
export const SIGN_IN_LIMITS = { windowMs: 15 * 60 * 1000, perAddress: 10, perAccount: 5 } as const;

/** Checks an email and password, counting failures per client address and per account (see SIGN_IN_LIMITS). */
export class SignIn {
  private readonly gate: AttemptGate;

  constructor(private readonly store: PeopleStore) {
    this.gate = new AttemptGate(store);
  }

  /** The agent, or undefined for a wrong email or password; TooManyAttempts once a limit is reached. */
  async check(email: string, password: string, address: string | undefined): Promise<AgentRecord | undefined> {
    const { windowMs, perAddress, perAccount } = SIGN_IN_LIMITS;
    const limits: AttemptLimit[] = [
      { key: attemptKey('sign-in-address', clientNetwork(address)), limit: perAddress, windowMs },
      // The email as the database compares it (case-insensitive), whether or not such an account exists.
      { key: attemptKey('sign-in-account', email.trim().toLowerCase()), limit: perAccount, windowMs },
    ];
    return this.gate.run(
      limits,
      async () => {
        const agent = email ? await this.store.findAgentByEmail(email) : undefined;
        // An unknown email costs a hash too, so the time taken does not tell which emails have accounts.
        const ok = await verifyPassword(password, agent?.passwordHash ?? (await dummyHash()));
        return agent && ok ? agent : undefined;
      },
      // Only a wrong email or password counts; an error of ours is not the client's failure.
      (outcome) => outcome.ok && outcome.value === undefined,
    );
  }
}

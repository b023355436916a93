/**
 * A role's trust policy, evaluated as STS evaluates it on AssumeRoleWithWebIdentity and AssumeRole.
 * Pure, reusable (the emulator's STS, workflow runners and unit tests call it).
 *
 * Rules, from AWS's documentation:
 * - Policy evaluation: an explicit Deny in any matching statement wins, else an Allow, else the
 *   request is implicitly denied ("Policy evaluation logic",
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * - A statement matches when its Action (or NotAction), Principal and every condition match; the
 *   operators of a Condition are ANDed, the keys of one operator are ANDed, the values of one key are
 *   ORed ("IAM JSON policy elements: Condition",
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
 * - A key absent from the request context makes a condition false; for a negated operator
 *   (StringNotEquals, StringNotLike, ArnNotLike, …) true; `…IfExists` is true when the key is absent;
 *   `Null` tests presence ("IAM JSON policy elements: Condition operators",
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 * - `ForAnyValue:` is false for an absent (or empty) key and true when at least one value of the
 *   context satisfies the operator; `ForAllValues:` is true for an absent (or empty) key and when every
 *   value does ("Set operators for multivalued context keys",
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html).
 * - Condition key names are case-insensitive; String values case-sensitive (except …IgnoreCase);
 *   `*` and `?` are wildcards in …Like operators.
 * - Principal: `Federated` names the identity provider's ARN; `AWS` names a role (matching its
 *   sessions), or an account (`arn:aws:iam::ACCOUNT:root` or `ACCOUNT`: any principal of it); `*`
 *   anyone ("AWS JSON policy elements: Principal",
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
 */

/** The request context: key → value(s). Keys are compared case-insensitively. */
export type RequestContext = Readonly<Record<string, string | readonly string[]>>;

/** Who asks to assume the role. */
export type TrustPrincipal =
  | { readonly federated: string }
  /** A session of an IAM role (its role ARN, not the session's) in `account`. */
  | { readonly role: string; readonly account: string };

/** One AssumeRole* request as the trust policy sees it. */
export interface TrustRequest {
  readonly action: string;
  readonly principal: TrustPrincipal;
  readonly context: RequestContext;
}

/** The decision, with the reason in words (for error messages and test failures). */
export interface TrustDecision {
  readonly decision: "Allowed" | "ImplicitDeny" | "ExplicitDeny";
  readonly reason: string;
}

type Json = unknown;

const asList = (value: Json): Json[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const isObject = (value: Json): value is Record<string, Json> => typeof value === "object" && value !== null && !Array.isArray(value);

/** IAM's wildcard match: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const regex = pattern
    .split("*")
    .map((part) => part.split("?").map((p) => p.replace(/[.+^${}()|[\]\\]/g, "\\$&")).join("."))
    .join(".*");
  return new RegExp(`^${regex}$`, ignoreCase ? "is" : "s").test(value);
}

/** Does one context value satisfy a (non-negated) base operator against one policy value? */
function matchesOne(base: string, policyValue: string, contextValue: string): boolean | undefined {
  switch (base) {
    case "StringEquals":
      return contextValue === policyValue;
    case "StringEqualsIgnoreCase":
      return contextValue.toLowerCase() === policyValue.toLowerCase();
    case "StringLike":
      return wildcardMatch(policyValue, contextValue);
    case "ArnEquals":
    case "ArnLike":
      return wildcardMatch(policyValue, contextValue);
    case "Bool":
      return contextValue.toLowerCase() === policyValue.toLowerCase();
    default:
      return undefined;
  }
}

const NEGATED: Record<string, string> = {
  StringNotEquals: "StringEquals",
  StringNotEqualsIgnoreCase: "StringEqualsIgnoreCase",
  StringNotLike: "StringLike",
  ArnNotEquals: "ArnEquals",
  ArnNotLike: "ArnLike",
};

/** The context's values of `key` (case-insensitive), undefined when absent. */
function contextValues(context: RequestContext, key: string): string[] | undefined {
  const wanted = key.toLowerCase();
  for (const [name, value] of Object.entries(context)) if (name.toLowerCase() === wanted) return typeof value === "string" ? [value] : [...value];
  return undefined;
}

/**
 * One condition operator (with its qualifier and IfExists) over one key: true when it holds.
 * Throws for an operator this evaluator does not model (a test must not pass on a guess).
 */
export function conditionHolds(operator: string, key: string, policyValues: readonly string[], context: RequestContext): boolean {
  const qualifier = /^(ForAnyValue|ForAllValues):/.exec(operator)?.[1];
  let rest = qualifier === undefined ? operator : operator.slice(qualifier.length + 1);
  const ifExists = rest.endsWith("IfExists");
  if (ifExists) rest = rest.slice(0, -"IfExists".length);
  const values = contextValues(context, key);
  if (rest === "Null") {
    const wantsAbsent = policyValues.some((v) => v.toLowerCase() === "true");
    return wantsAbsent === (values === undefined);
  }
  const negated = NEGATED[rest] !== undefined;
  const base = NEGATED[rest] ?? rest;
  if (matchesOne(base, "", "") === undefined) throw new Error(`condition operator ${operator} is not modelled by the emulator's trust evaluation`);
  const satisfies = (contextValue: string): boolean => {
    const any = policyValues.some((policyValue) => matchesOne(base, policyValue, contextValue) === true);
    return negated ? !any : any;
  };
  if (qualifier === "ForAnyValue") return values !== undefined && values.length > 0 && values.some(satisfies);
  if (qualifier === "ForAllValues") return values === undefined || values.length === 0 || values.every(satisfies);
  if (values === undefined) return ifExists || negated;
  return negated ? values.every(satisfies) : values.some(satisfies);
}

/** Every operator and key of a Condition block holds. */
export function conditionBlockHolds(condition: Json, context: RequestContext): boolean {
  if (condition === undefined) return true;
  if (!isObject(condition)) throw new Error("a Condition must be an object");
  return Object.entries(condition).every(([operator, keys]) => {
    if (!isObject(keys)) throw new Error(`Condition.${operator} must be an object`);
    return Object.entries(keys).every(([key, value]) => conditionHolds(operator, key, asList(value).map(String), context));
  });
}

function principalMatches(principal: Json, who: TrustPrincipal): boolean {
  if (principal === "*") return true;
  if (!isObject(principal)) return false;
  if ("federated" in who) return asList(principal["Federated"]).some((p) => p === who.federated);
  return asList(principal["AWS"]).some((p) => p === "*" || p === who.role || p === who.account || p === `arn:aws:iam::${who.account}:root`);
}

function actionMatches(statement: Record<string, Json>, action: string): boolean {
  if (statement["NotAction"] !== undefined) return !asList(statement["NotAction"]).some((a) => wildcardMatch(String(a), action, true));
  return asList(statement["Action"]).some((a) => wildcardMatch(String(a), action, true));
}

/** Evaluates a trust policy document (object or JSON text) for one request. */
export function evaluateTrustPolicy(document: Json, request: TrustRequest): TrustDecision {
  const policy: Json = typeof document === "string" ? JSON.parse(document) : document;
  if (!isObject(policy)) return { decision: "ImplicitDeny", reason: "the role has no trust policy" };
  const statements = asList(policy["Statement"]).filter(isObject);
  const applying = statements.filter((s) => actionMatches(s, request.action) && principalMatches(s["Principal"], request.principal));
  const matching = applying.filter((s) => conditionBlockHolds(s["Condition"], request.context));
  const denied = matching.find((s) => s["Effect"] === "Deny");
  if (denied !== undefined) return { decision: "ExplicitDeny", reason: `statement ${String(denied["Sid"] ?? "(no Sid)")} denies it` };
  const allowed = matching.find((s) => s["Effect"] === "Allow");
  if (allowed !== undefined) return { decision: "Allowed", reason: `statement ${String(allowed["Sid"] ?? "(no Sid)")} allows it` };
  if (applying.length === 0) return { decision: "ImplicitDeny", reason: `no statement allows ${request.action} to this principal` };
  return { decision: "ImplicitDeny", reason: `the conditions of ${applying.map((s) => String(s["Sid"] ?? "(no Sid)")).join(", ")} do not hold for ${JSON.stringify(request.context)}` };
}

/**
 * The request context STS builds for AssumeRoleWithWebIdentity from a token's claims: for every
 * provider `<provider>:aud` and `<provider>:sub`; for CircleCI's provider (oidc.circleci.com/org/ORG)
 * also the one CircleCI claim STS supplies, `<provider>:oidc.circleci.com/project-id` — no other claim
 * ("Actions, resources, and condition keys for AWS Security Token Service",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html;
 * "Available keys for AWS OIDC federation",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif);
 * and `sts:RoleSessionName`.
 */
export function webIdentityContext(provider: string, claims: Readonly<Record<string, unknown>>, sessionName: string): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = { "sts:RoleSessionName": sessionName };
  const aud = claims["aud"];
  if (typeof aud === "string") context[`${provider}:aud`] = aud;
  else if (Array.isArray(aud)) context[`${provider}:aud`] = aud.filter((a): a is string => typeof a === "string");
  if (typeof claims["sub"] === "string") context[`${provider}:sub`] = claims["sub"];
  const projectId = claims["oidc.circleci.com/project-id"];
  if (provider.startsWith("oidc.circleci.com/org/") && typeof projectId === "string") context[`${provider}:oidc.circleci.com/project-id`] = projectId;
  return context;
}

import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { type EndpointError, resolvePortalEndpoint } from "../Endpoint.js"
import * as Errors from "../Errors.js"
import type * as PortalErrors from "../PortalErrors.js"
import type * as PortalSchemas from "../PortalSchemas.js"
import type { SsoPortal } from "../SsoPortal.js"
import { type ClientSpec, makeCall } from "./client.js"
import * as Ops from "./portalOperations.js"

const spec: ClientSpec = { name: "SsoPortal", operations: Ops.all, resolveEndpoint: resolvePortalEndpoint }

type Service = SsoPortal.Service

/**
 * The model's `@paginated` traits: every paginated operation pages on `nextToken` with `maxResults`; these are
 * the members holding the items.
 * @internal
 */
export const paginatedItems = { ListAccounts: "accountList", ListAccountRoles: "roleList" } as const

// The caller's input, copied once (the pages then vary our own copy's nextToken); a hostile getter (untyped
// callers) is an InvalidInputError like any other bad input, never a defect. A non-object goes on unchanged, for
// the codec to refuse.
const copyInput = <In>(operation: string, input: In): Effect.Effect<In, Errors.InvalidInputError> =>
  Effect.try({
    try: () => (typeof input === "object" && input !== null ? { ...input } : input),
    catch: (cause) =>
      new Errors.InvalidInputError({
        operation,
        field: "",
        message: `${operation}: invalid input: reading it threw ${cause instanceof Error ? cause.name : typeof cause}`
      })
  })

/**
 * The items of every page of a paginated operation, in order: the first request as the caller gave it (a
 * `nextToken` there is where the listing resumes), each next one with the token the previous page returned, until
 * a page has none. A page that repeats the token it was asked with would loop forever, so it ends the stream with a
 * `MalformedResponseError` (the AWS SDKs' paginators stop on a repeated token too).
 */
const paginate = <In extends { readonly nextToken?: string | undefined }, Out extends { readonly nextToken?: string | undefined }, A, E>(
  operation: string,
  input: In,
  page: (input: In) => Effect.Effect<Out, E>,
  items: (output: Out) => ReadonlyArray<A> | undefined
): Stream.Stream<A, E | Errors.MalformedResponseError | Errors.InvalidInputError> =>
  Stream.unwrap(Effect.map(copyInput(operation, input), (first) =>
    Stream.paginateEffect(first, (request) =>
      Effect.flatMap(page(request), (output) => {
        const next = output.nextToken === "" ? undefined : output.nextToken
        if (next !== undefined && next === request?.nextToken) {
          return Effect.fail(
            new Errors.MalformedResponseError({
              operation,
              status: 200,
              cause: new Error("the service returned the nextToken it was sent: the listing would never end")
            })
          )
        }
        return Effect.succeed([items(output) ?? [], next === undefined ? Option.none() : Option.some({ ...request, nextToken: next })] as const)
      })).pipe(Stream.flattenIterables)
  ))

/** @internal */
export const make = (options: SsoPortal.Options): Effect.Effect<Service, EndpointError, HttpClient.HttpClient> =>
  Effect.map(makeCall(spec, options), (call): Service => {
    const listAccounts = (input: PortalSchemas.ListAccountsRequest) =>
      call(Ops.ListAccounts, input, undefined) as Effect.Effect<
        PortalSchemas.ListAccountsResponse,
        PortalErrors.ListAccountsError
      >
    const listAccountRoles = (input: PortalSchemas.ListAccountRolesRequest) =>
      call(Ops.ListAccountRoles, input, undefined) as Effect.Effect<
        PortalSchemas.ListAccountRolesResponse,
        PortalErrors.ListAccountRolesError
      >
    return {
      getRoleCredentials: (input) =>
        call(Ops.GetRoleCredentials, input, undefined) as Effect.Effect<
          PortalSchemas.GetRoleCredentialsResponse,
          PortalErrors.GetRoleCredentialsError
        >,
      listAccounts,
      listAccountRoles,
      logout: (input) => Effect.asVoid(call(Ops.Logout, input, undefined)) as Effect.Effect<void, PortalErrors.LogoutError>,
      listAccountsStream: (input) =>
        paginate("ListAccounts", input, listAccounts, (out) => out[paginatedItems.ListAccounts]),
      listAccountRolesStream: (input) =>
        paginate("ListAccountRoles", input, listAccountRoles, (out) => out[paginatedItems.ListAccountRoles])
    }
  })

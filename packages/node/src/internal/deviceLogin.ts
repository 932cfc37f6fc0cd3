import type * as SsoOidc from "@ssokit/core/SsoOidc"
import * as Effect from "effect/Effect"
import { LoginError } from "../Errors.js"
import type * as Login from "../Login.js"

export const deviceLogin = (
  _options: Login.Options,
  _client: SsoOidc.SsoOidc.Service,
  _scopes: ReadonlyArray<string>,
  _save: unknown
) => Effect.fail(new LoginError({ reason: "device code login is not available yet" }))

/** The scopes a new registration asks for when the session names none (as the AWS CLI). */
export const DEFAULT_SCOPES: ReadonlyArray<string> = ["sso:account:access"]

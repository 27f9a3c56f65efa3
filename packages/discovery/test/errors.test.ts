import {
  AccessDeniedException,
  InternalServerException,
  ThrottlingException,
  ValidationException
} from "@aws-sdk/client-bedrock"
import { describe, expect, it } from "vitest"
import { fromSdkError } from "../src/internal/errors.js"

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } })

describe("DiscoveryError classification of SDK failures", () => {
  it("maps service exceptions to a reason, retryability and status", () => {
    const cases = [
      [new ThrottlingException({ message: "Rate exceeded", ...metadata(429) }), "Throttled", true, 429],
      [new AccessDeniedException({ message: "not authorized", ...metadata(403) }), "AccessDenied", false, 403],
      [new InternalServerException({ message: "boom", ...metadata(500) }), "ServiceUnavailable", true, 500],
      [new ValidationException({ message: "bad request", ...metadata(400) }), "Unknown", false, 400]
    ] as const
    for (const [error, reason, retryable, status] of cases) {
      const mapped = fromSdkError("ListFoundationModels", "us-east-1", error)
      expect(mapped).toMatchObject({
        _tag: "DiscoveryError",
        reason,
        retryable,
        status,
        operation: "ListFoundationModels"
      })
      expect(mapped.message).toContain("us-east-1")
    }
  })

  it("recognises credential and network failures", () => {
    const noCredentials = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError"
    })
    expect(fromSdkError("ListInferenceProfiles", "eu-west-1", noCredentials)).toMatchObject({
      reason: "Credentials",
      retryable: false
    })
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })
    expect(fromSdkError("ListInferenceProfiles", "eu-west-1", refused)).toMatchObject({
      reason: "Network",
      retryable: true
    })
    const wrapped = Object.assign(new Error("socket hang up"), { cause: { code: "ECONNRESET" } })
    expect(fromSdkError("ListInferenceProfiles", "eu-west-1", wrapped).reason).toBe("Network")
  })

  it("keeps only the first line of an echoed signature mismatch", () => {
    const error = Object.assign(
      new Error(
        "The request signature we calculated does not match.\nThe Canonical String for this request should have been\nx-amz-security-token:SECRET"
      ),
      { name: "InvalidSignatureException", $metadata: { httpStatusCode: 403 } }
    )
    const mapped = fromSdkError("ListFoundationModels", "us-east-1", error)
    expect(mapped.reason).toBe("AccessDenied")
    expect(mapped.message).not.toContain("SECRET")
  })
})

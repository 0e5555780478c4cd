// Verify one captured delivery with the official libraries: argv[2] is a JSON file {scheme, secret, headers, body}.
import { readFileSync } from "node:fs";
const { scheme, secret, headers, body } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const raw = Buffer.from(body, "base64").toString("utf8");
if (scheme === "github") {
  const { verify } = await import("@octokit/webhooks-methods");
  console.log(JSON.stringify({ valid: await verify(secret, raw, headers["x-hub-signature-256"]) }));
} else {
  await import("@shopify/shopify-api/adapters/web-api");
  const { shopifyApi, ApiVersion, LogSeverity } = await import("@shopify/shopify-api");
  const shopify = shopifyApi({
    apiKey: "key", apiSecretKey: secret, hostName: "localhost", apiVersion: ApiVersion.January25,
    isEmbeddedApp: false, logger: { level: LogSeverity.Error, log: () => {} },
  });
  const request = new Request("http://localhost/webhooks", { method: "POST", headers, body: raw });
  const result = await shopify.webhooks.validate({ rawBody: raw, rawRequest: request });
  console.log(JSON.stringify({ valid: result.valid, reason: result.reason ?? null }));
}

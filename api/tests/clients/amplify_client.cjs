// aws-amplify v6, unmodified, driven from node as an app drives it, against ENDPOINT (the pool POOL_ID):
// sign-up with auto sign-in, a forced refresh through ROTATING_CLIENT_ID (rotation on) and PLAIN_CLIENT_ID
// (rotation off), TOTP set-up, SRP sign-in answered with a TOTP code, a passwordless sign-in by emailed
// code, and sign-out. The codes come from the test that runs this: each line `{"ask": ...}` on stdout
// is answered by one line on stdin. Every step is reported as `{"step": ...}`; the last line is
// `{"done": {...}}`, or `{"error": ...}` with exit status 3.

const { createRequire } = require('node:module');
const readline = require('node:readline');

const amplify = createRequire(`${process.env.AMPLIFY_NODE_MODULES}/`);
const { Amplify } = amplify('aws-amplify');
const auth = amplify('aws-amplify/auth');
const { cognitoUserPoolsTokenProvider } = amplify('aws-amplify/auth/cognito');

const email = process.env.EMAIL;
const password = process.env.PASSWORD;
const answers = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

// What the test answers to `question`.
async function ask(question) {
  console.log(JSON.stringify({ ask: question }));
  const { value, done } = await answers.next();
  if (done) throw new Error(`no answer to ${JSON.stringify(question)}`);
  return value.trim();
}

function step(name, detail = {}) {
  console.log(JSON.stringify({ step: name, ...detail }));
}

function expect(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

// Tokens live here, where the run can read the refresh token as Amplify keeps it.
const storage = new Map();
const refreshToken = () => [...storage].find(([key]) => key.endsWith('.refreshToken'))?.[1];

function configure(clientId) {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: process.env.POOL_ID,
        userPoolClientId: clientId,
        userPoolEndpoint: process.env.ENDPOINT,
        loginWith: { email: true },
        signUpVerificationMethod: 'code',
      },
    },
  });
  // After configure, which sets the default storage.
  cognitoUserPoolsTokenProvider.setKeyValueStorage({
    setItem: async (key, value) => void storage.set(key, value),
    getItem: async (key) => storage.get(key) ?? null,
    removeItem: async (key) => void storage.delete(key),
    clear: async () => storage.clear(),
  });
}

// fetchAuthSession({ forceRefresh: true }): whether the refresh token changed, and the one before.
async function forcedRefresh() {
  const before = refreshToken();
  const old = (await auth.fetchAuthSession()).tokens.accessToken.toString();
  const session = await auth.fetchAuthSession({ forceRefresh: true });
  const fresh = session.tokens.accessToken.toString();
  if (!fresh || fresh === old) throw new Error('the forced refresh kept the old access token');
  return { rotated: refreshToken() !== before, before };
}

async function run() {
  configure(process.env.ROTATING_CLIENT_ID);
  const signedUp = await auth.signUp({
    username: email,
    password,
    options: { userAttributes: { email }, autoSignIn: { authFlowType: 'USER_AUTH' } },
  });
  expect(signedUp.nextStep.signUpStep, 'CONFIRM_SIGN_UP', 'after signUp');
  const confirmed = await auth.confirmSignUp({ username: email, confirmationCode: await ask({ email_code: email }) });
  expect(confirmed.nextStep.signUpStep, 'COMPLETE_AUTO_SIGN_IN', 'after confirmSignUp');
  const autoSignedIn = await auth.autoSignIn();
  expect(autoSignedIn.isSignedIn, true, 'autoSignIn');
  step('auto sign-in', { username: (await auth.getCurrentUser()).username });

  const rotating = await forcedRefresh();
  step('forced refresh, rotation on', { rotated: rotating.rotated });

  const totp = await auth.setUpTOTP();
  await auth.verifyTOTPSetup({ code: await ask({ totp: totp.sharedSecret, offset: 0 }) });
  await auth.updateMFAPreference({ totp: 'PREFERRED' });
  const preference = await auth.fetchMFAPreference();
  step('TOTP set up', { preferred: preference.preferred, enabled: preference.enabled });
  await auth.signOut();

  const challenged = await auth.signIn({ username: email, password });
  expect(challenged.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE', 'SRP sign-in with MFA');
  const totpSignedIn = await auth.confirmSignIn({ challengeResponse: await ask({ totp: totp.sharedSecret, offset: 30 }) });
  expect(totpSignedIn.isSignedIn, true, 'confirmSignIn with the TOTP code');
  step('SRP sign-in with a TOTP code');
  await auth.updateMFAPreference({ totp: 'DISABLED' });
  await auth.signOut();

  const emailed = await auth.signIn({
    username: email,
    options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' },
  });
  expect(emailed.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', 'USER_AUTH with EMAIL_OTP');
  const emailSignedIn = await auth.confirmSignIn({ challengeResponse: await ask({ email_code: email }) });
  expect(emailSignedIn.isSignedIn, true, 'confirmSignIn with the emailed code');
  step('sign-in by emailed code');
  await auth.signOut();

  configure(process.env.PLAIN_CLIENT_ID);
  const plain = await auth.signIn({ username: email, password });
  expect(plain.isSignedIn, true, 'SRP sign-in');
  const kept = await forcedRefresh();
  step('forced refresh, rotation off', { rotated: kept.rotated });
  await auth.signOut();
  let signedOut = false;
  try {
    await auth.getCurrentUser();
  } catch {
    signedOut = true;
  }
  return { signed_out: signedOut, rotated_out: rotating.before };
}

run().then(
  (done) => {
    console.log(JSON.stringify({ done }));
    process.exit(0);
  },
  (error) => {
    console.log(JSON.stringify({ error: `${error.name}: ${error.message}` }));
    process.exit(3);
  },
);

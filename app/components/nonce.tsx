import { createContext, useContext } from 'react'

// The per-request CSP nonce, so <Scripts> and friends can run under a strict policy.
const NonceContext = createContext<string>('')
export const NonceProvider = NonceContext.Provider
export const useNonce = () => useContext(NonceContext)

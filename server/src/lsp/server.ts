// Language server entry (placeholder until the server lands).
export {};

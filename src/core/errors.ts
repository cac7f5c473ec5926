// Errors that carry their HTTP meaning; the http layer turns them into {ok:false,error,code}.
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code = 'BAD_REQUEST') => new AppError(400, code, message);
export const unauthorized = (message = 'A valid API key is required (Authorization: Bearer <key>).') => new AppError(401, 'UNAUTHORIZED', message);
export const forbidden = (message: string) => new AppError(403, 'FORBIDDEN', message);
export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what} not found.`);
export const conflict = (message: string, code = 'CONFLICT') => new AppError(409, code, message);
export const paymentRequired = (message: string) => new AppError(402, 'PLAN_LIMIT_REACHED', message);
export const unprocessable = (message: string, code = 'UNPROCESSABLE') => new AppError(422, code, message);
export const unavailable = (message: string, code = 'UNAVAILABLE') => new AppError(503, code, message);

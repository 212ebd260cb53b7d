// Errors as CloudStack raises them: ApiErrorCode (= HTTP status) plus the cserrorcode of the exception class.

export class SimApiError extends Error {
  readonly errorcode: number;
  readonly cserrorcode: number | undefined;

  constructor(errorcode: number, errortext: string, cserrorcode?: number) {
    super(errortext);
    this.name = 'SimApiError';
    this.errorcode = errorcode;
    this.cserrorcode = cserrorcode;
  }
}

export const CS_ERROR = {
  cloudRuntime: 4250,
  concurrentOperation: 4300,
  insufficientCapacity: 4325,
  invalidParameterValue: 4350,
  permissionDenied: 4365,
  resourceAllocation: 4370,
  resourceUnavailable: 4380,
  serverApi: 9999,
} as const;

/** InvalidParameterValueException: 431 / 4350. */
export function invalidParameter(text: string): SimApiError {
  return new SimApiError(431, text, CS_ERROR.invalidParameterValue);
}

/** CloudRuntimeException (and plain RuntimeException in jobs): 530 / 4250. */
export function cloudRuntime(text: string): SimApiError {
  return new SimApiError(530, text, CS_ERROR.cloudRuntime);
}

/** ParamProcessWorker: a required parameter is absent. */
export function missingParameter(command: string, name: string): SimApiError {
  return new SimApiError(
    431,
    `Unable to execute API command ${command.toLowerCase()} due to missing parameter ${name}`,
    CS_ERROR.serverApi,
  );
}

/** ParamProcessWorker: a uuid that matches no entity, or a malformed number. */
export function invalidValue(command: string, name: string, value: string): SimApiError {
  return new SimApiError(
    431,
    `Unable to execute API command ${command.toLowerCase()} due to invalid value. Invalid parameter ${name} value=${value} due to incorrect long value format, or entity does not exist or due to incorrect parameter annotation for the field in api cmd class.`,
    CS_ERROR.serverApi,
  );
}

export const AUTH_ERROR_TEXT = 'unable to verify user credentials and/or request signature';

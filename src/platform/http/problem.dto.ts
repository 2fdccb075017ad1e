import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldIssueDto {
  @ApiProperty({ description: 'The offending field (dot path for nested fields).', example: 'email' })
  field: string;
  @ApiProperty({ description: 'Machine-readable reason.', example: 'isEmail' })
  code: string;
  @ApiProperty({ description: 'Human-readable reason.', example: 'email must be an email address' })
  message: string;
}

/** RFC 9457 problem details: the body of every 4xx/5xx response. */
export class ProblemDto {
  @ApiProperty({
    description: 'URI identifying the problem type.',
    example: 'https://rapport.dev/problems/validation-failed',
  })
  type: string;
  @ApiProperty({ description: 'Short summary of the problem type.', example: 'Bad Request' })
  title: string;
  @ApiProperty({ description: 'HTTP status code.', example: 400 })
  status: number;
  @ApiProperty({
    description: 'What went wrong, for a human.',
    example: 'The request has 1 invalid field: email.',
  })
  detail: string;
  @ApiProperty({ description: 'Stable machine-readable error code.', example: 'VALIDATION_FAILED' })
  code: string;
  @ApiPropertyOptional({ description: 'One entry per invalid field.', type: [FieldIssueDto] })
  errors?: FieldIssueDto[];
  @ApiPropertyOptional({
    description: 'A finer machine-readable cause within code, e.g. insufficient_scope or missing_permission.',
    example: 'insufficient_scope',
  })
  reason?: string;
  @ApiPropertyOptional({ description: 'The request id (also in X-Request-Id).', example: '0193a1c2-…' })
  requestId?: string;
}

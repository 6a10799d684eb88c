import { z } from 'zod'
import { emailField } from '../lib/forms.ts'

export const LoginSchema = z.object({
  email: emailField(),
  password: z.string({ error: 'validation.required' }).min(1, 'validation.required').max(1024, 'validation.tooLong'),
})

export const SetPasswordSchema = z
  .object({
    password: z.string({ error: 'validation.required' }).min(1, 'validation.required'),
    confirm: z.string({ error: 'validation.required' }).min(1, 'validation.required'),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'validation.passwordMismatch' })

export const ChangePasswordSchema = z
  .object({
    currentPassword: z.string({ error: 'validation.required' }).min(1, 'validation.required'),
    newPassword: z.string({ error: 'validation.required' }).min(1, 'validation.required'),
    confirm: z.string({ error: 'validation.required' }).min(1, 'validation.required'),
  })
  .refine((v) => v.newPassword === v.confirm, { path: ['confirm'], message: 'validation.passwordMismatch' })

# sum_iter (array(float64, 1d, C))
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 16 }
  subq $0x10, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 8(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
block0:
  movq (%rdi), %r8
  movq 8(%rdi), %r11
  movq 0x10(%rdi), %r12
  movq 0x18(%rdi), %rax
  jmp     label1
block1:
  movl 8(%rdx), %r9d
  cmpl %r9d, %ecx
  jnbe    label10; j label2
block2:
  uninit  %r9
  xorq %r9, %r9
  uninit  %rbx
  xorl %ebx, %ebx
  uninit  %xmm0
  vxorpd %xmm0, %xmm0, %xmm0
  movq 0x10(%rdi), %r10
  movq (%rdi), %rdi
  jmp     label3
block3:
  cmpq %r10, %r9
  jnl     label8; j label4
block4:
  vmovsd (%rdi, %r9, 8), %xmm1
  jmp     label5
block5:
  movabsq $<address>, %rcx
  movl (%rcx), %ecx
  leaq 1(%r9), %r9
  movl $0x1, %ebx
  vaddsd %xmm1, %xmm0, %xmm0
  testl %ecx, %ecx
  jnz     label7; j label6
block6:
  jmp     label3
block8:
  jmp     label9
block9:
  movb %bl, (%rsi)
  vmovsd %xmm0, 8(%rsi)
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block7:
  movq %r8, 0x10(%rdx)
  movq %r11, 0x18(%rdx)
  movq %r12, 0x20(%rdx)
  movq %rax, 0x28(%rdx)
  movq %r10, 0x30(%rdx)
  movq $0x1, 0x38(%rdx)
  vmovsd %xmm0, 0x40(%rdx)
  movq %r9, 0x48(%rdx)
  movl $0x0, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block10:
  movq %r8, 0x10(%rdx)
  movq %r11, 0x18(%rdx)
  movq %r12, 0x20(%rdx)
  movq %rax, 0x28(%rdx)
  movl $0x1, (%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  addq $0x10, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
